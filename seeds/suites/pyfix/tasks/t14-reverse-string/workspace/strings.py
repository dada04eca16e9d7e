def reverse(s):
    pass
