def rpn(expr):
    stack = []
    for token in expr.split():
        if token in "+-*/":
            a = stack.pop()
            b = stack.pop()
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
    return stack[0]
