def compare(a, b):
    raise NotImplementedError


def sort_versions(versions):
    raise NotImplementedError
