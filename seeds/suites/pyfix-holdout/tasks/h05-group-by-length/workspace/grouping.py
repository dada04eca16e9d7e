def group_by_length(words):
    return {}
