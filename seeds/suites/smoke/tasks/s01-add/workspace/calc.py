def add(a, b):
    """Returns a + b."""
    return a - b
