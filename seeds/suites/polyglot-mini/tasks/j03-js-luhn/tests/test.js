const assert = require("assert");
const { valid } = require("../luhn.js");

const good = ["059", "4539 3195 0343 6467", "055 444 285", "095 245 88", "091", "0000 0", "59"];
const bad = ["0", " 0", "8273 1232 7352 0569", "055 444 286", "055a 444 285", "055-444-285", "4539 3195 0343 6476"];
for (const n of good) assert.strictEqual(valid(n), true, n);
for (const n of bad) assert.strictEqual(valid(n), false, n);
console.log("ok");
