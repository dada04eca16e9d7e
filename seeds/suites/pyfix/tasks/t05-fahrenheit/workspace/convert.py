def to_celsius(f):
    return (f - 32) * 9 / 5
