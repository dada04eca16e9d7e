def merge_counts(a, b):
    result = a
    result.update(b)
    return result
