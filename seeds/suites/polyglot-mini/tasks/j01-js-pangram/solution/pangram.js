function isPangram(sentence) {
  const lower = sentence.toLowerCase();
  const letters = "abcdefghijklmnopqrstuvwxyz";
  for (const ch of letters) {
    if (!lower.includes(ch)) return false;
  }
  return true;
}

module.exports = { isPangram };
