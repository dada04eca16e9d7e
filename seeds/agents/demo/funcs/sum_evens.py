def sum_evens(numbers):
    return 0
