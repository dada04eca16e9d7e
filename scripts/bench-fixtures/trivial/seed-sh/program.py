# The trivial problem of the overhead benchmark: a program with one constant. The stub model answers each
# call with this file and a new constant; the evaluation runs the program and scores its output.
VALUE = 0


def value():
    return VALUE


if __name__ == "__main__":
    print(VALUE)
