import re

INT = re.compile(r"-?\d+")


def _convert(value):
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if INT.fullmatch(value):
        return int(value)
    return value


def parse_ini(text):
    result = {}
    section = ""
    last_key = None
    raw = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[0].isspace() and last_key is not None:
            raw[(section, last_key)] += "\n" + stripped
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            result.setdefault(section, {})
            last_key = None
            continue
        match = re.search(r"[=:]", stripped)
        if not match:
            raise ValueError("line %d: cannot parse %r" % (number, stripped))
        key = stripped[:match.start()].strip().lower()
        raw[(section, key)] = stripped[match.end():].strip()
        result.setdefault(section, {})[key] = None
        last_key = key
    for (sec, key), value in raw.items():
        result[sec][key] = _convert(value)
    return result
