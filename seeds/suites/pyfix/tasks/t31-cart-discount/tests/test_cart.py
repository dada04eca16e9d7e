import unittest
from shop.cart import Cart


class TestCart(unittest.TestCase):
    def cart(self, *lines):
        c = Cart()
        for line in lines:
            c.add(*line)
        return c

    def test_no_code(self):
        self.assertEqual(self.cart(("pen", 2.5, 4)).total(), 15.0)

    def test_code(self):
        self.assertEqual(self.cart(("book", 40, 1)).total("SAVE10"), 41.0)
        self.assertEqual(self.cart(("book", 40, 1)).total("SAVE25"), 35.0)

    def test_free_shipping_uses_subtotal_before_discount(self):
        self.assertEqual(self.cart(("lamp", 100, 1)).total(), 100.0)
        self.assertEqual(self.cart(("lamp", 100, 1)).total("SAVE10"), 90.0)

    def test_unknown_code(self):
        with self.assertRaises(ValueError):
            self.cart(("pen", 1, 1)).total("FREE")
