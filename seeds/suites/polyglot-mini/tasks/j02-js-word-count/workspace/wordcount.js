function countWords(text) {
  // TODO
  return {};
}

module.exports = { countWords };
