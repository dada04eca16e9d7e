import re

UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
PART = re.compile(r"(\d+)([dhms])")


def parse_duration(text):
    compact = text.replace(" ", "")
    if not compact:
        raise ValueError("empty duration")
    total, pos, seen = 0, 0, set()
    while pos < len(compact):
        match = PART.match(compact, pos)
        if not match:
            raise ValueError("bad duration: %r" % text)
        number, unit = match.groups()
        if unit in seen:
            raise ValueError("repeated unit %r" % unit)
        seen.add(unit)
        total += int(number) * UNITS[unit]
        pos = match.end()
    return total
