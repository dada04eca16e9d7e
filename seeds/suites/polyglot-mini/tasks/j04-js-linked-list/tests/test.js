const assert = require("assert");
const { LinkedList } = require("../linked-list.js");

let l = new LinkedList();
l.push(10); l.push(20);
assert.strictEqual(l.pop(), 20);
assert.strictEqual(l.pop(), 10);
assert.strictEqual(l.pop(), undefined);

l = new LinkedList();
l.push(1); l.push(2); l.unshift(0);
assert.strictEqual(l.count(), 3);
assert.strictEqual(l.shift(), 0);
assert.strictEqual(l.shift(), 1);
assert.strictEqual(l.shift(), 2);
assert.strictEqual(l.shift(), undefined);
assert.strictEqual(l.count(), 0);

l = new LinkedList();
[1, 2, 3, 2].forEach((v) => l.push(v));
l.delete(2);
assert.strictEqual(l.count(), 3);
assert.strictEqual(l.pop(), 2);
assert.strictEqual(l.shift(), 1);
assert.strictEqual(l.pop(), 3);
l.delete(9);
assert.strictEqual(l.count(), 0);

l = new LinkedList();
l.push(5); l.delete(5);
assert.strictEqual(l.count(), 0);
l.push(6);
assert.strictEqual(l.shift(), 6);
assert.strictEqual(l.pop(), undefined);

const src = require("fs").readFileSync(require("path").join(__dirname, "..", "linked-list.js"), "utf8");
assert.ok(!/\[\s*\]|new Array|Array\(/.test(src), "use nodes, not an array");
console.log("ok");
