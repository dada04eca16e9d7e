def tokenize(expr):
    tokens = []
    for ch in expr:
        if ch == " ":
            continue
        tokens.append(ch)
    return tokens
