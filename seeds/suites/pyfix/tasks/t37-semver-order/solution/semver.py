import functools
import re

NUMBER = re.compile(r"0|[1-9]\d*")
IDENT = re.compile(r"[0-9A-Za-z-]+")


def parse(version):
    core, _, _build = version.partition("+")
    core, dash, pre = core.partition("-")
    parts = core.split(".")
    if len(parts) != 3 or not all(NUMBER.fullmatch(p) for p in parts):
        raise ValueError("malformed version: %r" % version)
    ids = pre.split(".") if dash else []
    if dash and not all(IDENT.fullmatch(i) for i in ids):
        raise ValueError("malformed pre-release: %r" % version)
    return tuple(int(p) for p in parts), ids


def compare_ids(a, b):
    for x, y in zip(a, b):
        if x == y:
            continue
        xn, yn = x.isdigit(), y.isdigit()
        if xn and yn:
            return -1 if int(x) < int(y) else 1
        if xn != yn:
            return -1 if xn else 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def compare(a, b):
    (core_a, pre_a), (core_b, pre_b) = parse(a), parse(b)
    if core_a != core_b:
        return -1 if core_a < core_b else 1
    if not pre_a or not pre_b:
        return (not pre_a) - (not pre_b)
    return compare_ids(pre_a, pre_b)


def sort_versions(versions):
    return sorted(versions, key=functools.cmp_to_key(compare))
