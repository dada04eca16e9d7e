def parse_ini(text):
    result = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line[1:-1]
            result[section] = {}
            continue
        key, value = line.split("=")
        value = value.strip()
        if value.isdigit():
            value = int(value)
        elif value == "true":
            value = True
        result.setdefault(section, {})[key.strip()] = value
    return result
