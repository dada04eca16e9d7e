def tokenize(expr):
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch in "+-*/()":
            tokens.append(ch)
            i += 1
        elif ch.isdigit() or ch == ".":
            j = i
            while j < len(expr) and (expr[j].isdigit() or expr[j] == "."):
                j += 1
            number = expr[i:j]
            if number.count(".") > 1 or number == ".":
                raise ValueError("bad number: %r" % number)
            tokens.append(number)
            i = j
        else:
            raise ValueError("unexpected character: %r" % ch)
    return tokens
