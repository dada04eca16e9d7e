class TTLCache:
    def __init__(self, capacity, ttl, clock):
        self.capacity = capacity
        self.ttl = ttl
        self.clock = clock
        self.items = {}

    def get(self, key, default=None):
        if key in self.items:
            value, expires = self.items[key]
            self.items[key] = (value, self.clock() + self.ttl)
            return value
        return default

    def set(self, key, value):
        if len(self.items) >= self.capacity:
            self.items.pop(next(iter(self.items)))
        self.items[key] = (value, self.clock() + self.ttl)

    def __len__(self):
        return len(self.items)
