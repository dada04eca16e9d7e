import unittest
from ini import parse_ini

TEXT = '''
top = 1
# a comment
; another comment
[server]
Host = example.org
port: 8080
debug = FALSE
[ client ]
name = a=b
retries = -3
motd = first line
    second line
PORT = 1
[server]
port = 9090
'''


class TestParseIni(unittest.TestCase):
    def setUp(self):
        self.data = parse_ini(TEXT)

    def test_sections(self):
        self.assertEqual(sorted(self.data), ["", "client", "server"])
        self.assertEqual(self.data[""], {"top": 1})

    def test_merge_and_last_wins(self):
        self.assertEqual(self.data["server"], {"host": "example.org", "port": 9090, "debug": False})

    def test_values(self):
        client = self.data["client"]
        self.assertEqual(client["name"], "a=b")
        self.assertEqual(client["retries"], -3)
        self.assertEqual(client["motd"], "first line\nsecond line")
        self.assertEqual(client["port"], 1)

    def test_types(self):
        self.assertIs(parse_ini("a = True")[""]["a"], True)
        self.assertEqual(parse_ini("a = 1.5")[""]["a"], "1.5")
        self.assertEqual(parse_ini("a = 12abc")[""]["a"], "12abc")

    def test_error_line_number(self):
        with self.assertRaises(ValueError) as ctx:
            parse_ini("[s]\na = 1\ngarbage\n")
        self.assertIn("3", str(ctx.exception))
