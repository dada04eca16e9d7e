const assert = require("assert");
const { isPangram } = require("../pangram.js");

assert.strictEqual(isPangram("the quick brown fox jumps over the lazy dog"), true);
assert.strictEqual(isPangram("The quick brown fox jumps over the lazy dog"), true);
assert.strictEqual(isPangram("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"), true);
assert.strictEqual(isPangram("a quick movement of the enemy will jeopardize five gunboats"), false);
assert.strictEqual(isPangram(""), false);
console.log("ok");
