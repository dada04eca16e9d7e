def format_phone(raw):
    digits = ""
    for i, ch in enumerate(raw):
        if ch.isdigit():
            digits += ch
        elif ch == "+" and not digits and raw[i + 1:i + 2] == "1":
            continue
        elif ch not in " .-()":
            raise ValueError("unexpected character %r" % ch)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError("a phone number has 10 digits")
    return "(%s) %s-%s" % (digits[:3], digits[3:6], digits[6:])
