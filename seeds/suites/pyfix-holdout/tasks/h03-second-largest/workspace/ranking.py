def second_largest(numbers):
    ordered = sorted(numbers)
    return ordered[-2]
