import unittest
from phone import format_phone


class TestFormatPhone(unittest.TestCase):
    def test_variants(self):
        for raw in ("555-123-4567", "(555) 123 4567", "+1 555.123.4567", "15551234567", "5551234567"):
            self.assertEqual(format_phone(raw), "(555) 123-4567", raw)

    def test_invalid(self):
        for raw in ("555-1234", "25551234567", "555-123-456a", "555 123 45678", "", "+2 555 123 4567"):
            with self.assertRaises(ValueError, msg=raw):
                format_phone(raw)
