def format_phone(raw):
    digits = "".join(ch for ch in raw if ch.isdigit())
    return "(%s) %s-%s" % (digits[:3], digits[3:6], digits[6:])
