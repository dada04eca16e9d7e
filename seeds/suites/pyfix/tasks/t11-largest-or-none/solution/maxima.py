def largest(numbers):
    if not numbers:
        return None
    return max(numbers)
