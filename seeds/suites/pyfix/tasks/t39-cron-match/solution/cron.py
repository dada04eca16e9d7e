LIMITS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]


def _number(text, lo, hi):
    if not text.isdigit():
        raise ValueError("not a number: %r" % text)
    value = int(text)
    if not lo <= value <= hi:
        raise ValueError("out of range: %r" % text)
    return value


def _values(field, lo, hi):
    values = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        step = _number(step_text, 1, hi) if slash else 1
        if base == "*":
            start, end = lo, hi
        elif "-" in base:
            a, _, b = base.partition("-")
            start, end = _number(a, lo, hi), _number(b, lo, hi)
            if end < start:
                raise ValueError("empty range: %r" % base)
        else:
            start = end = _number(base, lo, hi)
        values.update(range(start, end + 1, step))
    return values


def cron_matches(expr, when):
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError("a cron expression has five fields")
    actual = [when.minute, when.hour, when.day, when.month, (when.weekday() + 1) % 7]
    sets = [_values(f, lo, hi) for f, (lo, hi) in zip(fields, LIMITS)]
    return all(value in s for value, s in zip(actual, sets))
