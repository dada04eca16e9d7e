def find(items, value):
    lo, hi = 0, len(items) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] == value:
            return mid
        if items[mid] < value:
            lo = mid + 1
        else:
            hi = mid - 1
    raise ValueError("value not in list")
