function isPangram(sentence) {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  for (const ch of letters) {
    if (!sentence.includes(ch)) return false;
  }
  return true;
}

module.exports = { isPangram };
