"""Shared helpers for the suite scripts: a reader for the small YAML subset the suites use, and a
walk over seeds/suites. Standard library only (Debian's python3 has no PyYAML by default)."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = os.path.join(ROOT, "seeds", "suites")
DIFFICULTIES = ("trivial", "easy", "medium", "hard")


class YAMLError(ValueError):
    pass


def _strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _scalar(text):
    text = text.strip()
    if text[:1] in "\"'" and text[-1:] == text[:1] and len(text) >= 2:
        body = text[1:-1]
        return body.replace('\\"', '"').replace("\\\\", "\\") if text[0] == '"' else body.replace("''", "'")
    low = text.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if low in ("null", "~", ""):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _flow(text, i):
    """Parses a flow value starting at text[i]; returns (value, next index)."""
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text):
        raise YAMLError("unexpected end of a flow value")
    ch = text[i]
    if ch in "[{":
        close = "]" if ch == "[" else "}"
        items = [] if ch == "[" else {}
        i += 1
        while True:
            while i < len(text) and text[i] in " \t,":
                i += 1
            if i >= len(text):
                raise YAMLError("missing %r" % close)
            if text[i] == close:
                return items, i + 1
            if ch == "[":
                value, i = _flow(text, i)
                items.append(value)
            else:
                j = text.index(":", i)
                key = _scalar(text[i:j])
                value, i = _flow(text, j + 1)
                items[key] = value
    if ch in "\"'":
        j = i + 1
        while j < len(text) and not (text[j] == ch and text[j - 1] != "\\"):
            j += 1
        return _scalar(text[i:j + 1]), j + 1
    j = i
    while j < len(text) and text[j] not in ",]}":
        j += 1
    return _scalar(text[i:j]), j


def load_yaml(path):
    """Reads a flat mapping of `key: value` lines whose values are scalars or flow collections."""
    result = {}
    with open(path) as f:
        for number, raw in enumerate(f, 1):
            line = _strip_comment(raw.rstrip("\n")).rstrip()
            if not line.strip():
                continue
            if line[0] in " \t" or ":" not in line:
                raise YAMLError("%s:%d: expected 'key: value' at the left margin" % (path, number))
            key, _, rest = line.partition(":")
            rest = rest.strip()
            try:
                if rest[:1] in "[{":
                    value, end = _flow(rest, 0)
                    if rest[end:].strip():
                        raise YAMLError("trailing text after the value")
                else:
                    value = _scalar(rest)
            except (YAMLError, ValueError) as e:
                raise YAMLError("%s:%d: %s" % (path, number, e))
            result[key.strip()] = value
    return result


def suites(names=None):
    """Yields (suite name, suite dir, suite.yaml mapping) in sorted order."""
    for name in sorted(os.listdir(SUITES)):
        path = os.path.join(SUITES, name)
        if names and name not in names:
            continue
        if os.path.isfile(os.path.join(path, "suite.yaml")):
            yield name, path, load_yaml(os.path.join(path, "suite.yaml"))


def tasks(suite_dir):
    """Yields (task id, task dir, task.yaml mapping or {}) in sorted order."""
    base = os.path.join(suite_dir, "tasks")
    for tid in sorted(os.listdir(base)):
        path = os.path.join(base, tid)
        if not os.path.isdir(path):
            continue
        meta_path = os.path.join(path, "task.yaml")
        yield tid, path, (load_yaml(meta_path) if os.path.isfile(meta_path) else {})
