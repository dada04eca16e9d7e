import unittest
from clock import Clock


class TestClock(unittest.TestCase):
    def test_str(self):
        self.assertEqual(str(Clock(8, 5)), "08:05")
        self.assertEqual(str(Clock(25, 0)), "01:00")
        self.assertEqual(str(Clock(0, -1)), "23:59")
        self.assertEqual(str(Clock(1, -160)), "22:20")
        self.assertEqual(str(Clock(-25, -160)), "20:20")
        self.assertEqual(str(Clock(0, 1723)), "04:43")

    def test_arithmetic(self):
        self.assertEqual(str(Clock(23, 59) + 2), "00:01")
        self.assertEqual(str(Clock(0, 30) - 60), "23:30")
        c = Clock(10, 0)
        c + 5
        self.assertEqual(str(c), "10:00")

    def test_equality(self):
        self.assertEqual(Clock(15, 37), Clock(15, 37))
        self.assertEqual(Clock(-1, 0), Clock(23, 0))
        self.assertNotEqual(Clock(15, 36), Clock(15, 37))
