const assert = require("assert");
const { countWords } = require("../wordcount.js");

assert.deepStrictEqual(countWords("one fish two fish"), { one: 1, fish: 2, two: 1 });
assert.deepStrictEqual(countWords("Go go GO, stop!"), { go: 3, stop: 1 });
assert.deepStrictEqual(countWords("don't 'stop' believing, 2 times"),
  { "don't": 1, stop: 1, believing: 1, "2": 1, times: 1 });
assert.deepStrictEqual(countWords(" \t\n"), {});
console.log("ok");
