def group_by_length(words):
    groups = {}
    for word in set(words):
        groups.setdefault(len(word), []).append(word)
    return {length: sorted(ws) for length, ws in groups.items()}
