from shop.pricing import apply_discount, shipping


class Cart:
    def __init__(self):
        self.lines = []

    def add(self, name, unit_price, qty=1):
        self.lines.append((name, unit_price, qty))

    def subtotal(self):
        return sum(price * qty for _, price, qty in self.lines)

    def total(self, discount_code=None):
        subtotal = self.subtotal()
        discounted = apply_discount(subtotal, discount_code)
        return round(discounted + shipping(subtotal), 2)
