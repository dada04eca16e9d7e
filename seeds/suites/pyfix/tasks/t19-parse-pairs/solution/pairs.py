def parse_pairs(text):
    result = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        result[key.strip()] = value.strip()
    return result
