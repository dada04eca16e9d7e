from collections import OrderedDict


class TTLCache:
    def __init__(self, capacity, ttl, clock):
        self.capacity = capacity
        self.ttl = ttl
        self.clock = clock
        self.items = OrderedDict()

    def _expired(self, key):
        return self.items[key][1] <= self.clock()

    def get(self, key, default=None):
        if key not in self.items:
            return default
        if self._expired(key):
            del self.items[key]
            return default
        self.items.move_to_end(key)
        return self.items[key][0]

    def set(self, key, value):
        if key not in self.items and len(self.items) >= self.capacity:
            for old in [k for k in self.items if self._expired(k)]:
                del self.items[old]
            if len(self.items) >= self.capacity:
                self.items.popitem(last=False)
        self.items[key] = (value, self.clock() + self.ttl)
        self.items.move_to_end(key)

    def __len__(self):
        return sum(1 for k in self.items if not self._expired(k))
