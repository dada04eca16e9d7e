CODES = {"SAVE10": 10, "SAVE25": 25}
SHIPPING = 5.00
FREE_SHIPPING_FROM = 100


def apply_discount(subtotal, code):
    if code is None:
        return subtotal
    percent = CODES.get(code, 0)
    return subtotal * (1 - percent)


def shipping(subtotal):
    return 0 if subtotal > FREE_SHIPPING_FROM else SHIPPING
