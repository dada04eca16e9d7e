class LinkedList {
  constructor() {
    this.head = null;
    this.tail = null;
    this.size = 0;
  }

  push(value) {
    const node = { value, prev: this.tail, next: null };
    if (this.tail) this.tail.next = node; else this.head = node;
    this.tail = node;
    this.size++;
  }

  unshift(value) {
    const node = { value, prev: null, next: this.head };
    if (this.head) this.head.prev = node; else this.tail = node;
    this.head = node;
    this.size++;
  }

  pop() {
    if (!this.tail) return undefined;
    const node = this.tail;
    this.unlink(node);
    return node.value;
  }

  shift() {
    if (!this.head) return undefined;
    const node = this.head;
    this.unlink(node);
    return node.value;
  }

  delete(value) {
    for (let node = this.head; node; node = node.next) {
      if (node.value === value) {
        this.unlink(node);
        return;
      }
    }
  }

  count() {
    return this.size;
  }

  unlink(node) {
    if (node.prev) node.prev.next = node.next; else this.head = node.next;
    if (node.next) node.next.prev = node.prev; else this.tail = node.prev;
    this.size--;
  }
}

module.exports = { LinkedList };
