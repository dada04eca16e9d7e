class LinkedList {}

module.exports = { LinkedList };
