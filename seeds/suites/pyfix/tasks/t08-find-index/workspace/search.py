def find_first(items, target):
    return items.index(target)
