import unittest
from bank import Account


class TestAccount(unittest.TestCase):
    def test_deposit_withdraw(self):
        a = Account("ann", 10)
        a.deposit(5)
        a.withdraw(15)
        self.assertEqual(a.balance, 0)
        self.assertEqual(a.history, [("deposit", 5), ("withdraw", 15)])

    def test_bad_amounts(self):
        a = Account("ann", 10)
        for bad in (0, -3):
            with self.assertRaises(ValueError):
                a.deposit(bad)
            with self.assertRaises(ValueError):
                a.withdraw(bad)
        self.assertEqual(a.balance, 10)
        self.assertEqual(a.history, [])

    def test_overdraft(self):
        a = Account("ann", 10)
        with self.assertRaises(ValueError):
            a.withdraw(11)
        self.assertEqual(a.balance, 10)
        self.assertEqual(a.history, [])

    def test_negative_start(self):
        with self.assertRaises(ValueError):
            Account("bob", -1)

    def test_transfer(self):
        a, b = Account("a", 20), Account("b")
        a.transfer(b, 15)
        self.assertEqual((a.balance, b.balance), (5, 15))
        self.assertEqual(b.history, [("deposit", 15)])
        with self.assertRaises(ValueError):
            a.transfer(b, 6)
        self.assertEqual((a.balance, b.balance), (5, 15))
        self.assertEqual(a.history, [("withdraw", 15)])
