CODES = {"SAVE10": 10, "SAVE25": 25}
SHIPPING = 5.00
FREE_SHIPPING_FROM = 100


def apply_discount(subtotal, code):
    if code is None:
        return subtotal
    if code not in CODES:
        raise ValueError("unknown discount code: %s" % code)
    return subtotal * (1 - CODES[code] / 100)


def shipping(subtotal):
    return 0 if subtotal >= FREE_SHIPPING_FROM else SHIPPING
