def rpn(expr):
    stack = []
    for token in expr.split():
        if token in ("+", "-", "*", "/"):
            if len(stack) < 2:
                raise ValueError("not enough operands for %s" % token)
            b = stack.pop()
            a = stack.pop()
            if token == "+":
                stack.append(a + b)
            elif token == "-":
                stack.append(a - b)
            elif token == "*":
                stack.append(a * b)
            else:
                stack.append(a / b)
        else:
            stack.append(float(token))
    if len(stack) != 1:
        raise ValueError("malformed expression")
    return stack[0]
