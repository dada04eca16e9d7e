import re

TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+)|(.))")


def tokenize(expr):
    tokens = []
    for number, other in TOKEN.findall(expr):
        if number:
            tokens.append(float(number) if "." in number else int(number))
        elif other and not other.isspace():
            if other not in "+-*/()":
                raise ValueError("unexpected character %r" % other)
            tokens.append(other)
    return tokens


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        if token is None:
            raise ValueError("unexpected end of expression")
        self.pos += 1
        return token

    def expression(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            if self.take() == "+":
                value = value + self.term()
            else:
                value = value - self.term()
        return value

    def term(self):
        value = self.factor()
        while self.peek() in ("*", "/"):
            if self.take() == "*":
                value = value * self.factor()
            else:
                value = value / self.factor()
        return value

    def factor(self):
        token = self.take()
        if token == "-":
            return -self.factor()
        if token == "+":
            return self.factor()
        if token == "(":
            value = self.expression()
            if self.take() != ")":
                raise ValueError("missing )")
            return value
        if isinstance(token, (int, float)):
            return token
        raise ValueError("unexpected %r" % token)


def evaluate(expr):
    parser = Parser(tokenize(expr))
    value = parser.expression()
    if parser.peek() is not None:
        raise ValueError("unexpected %r" % parser.peek())
    return value
