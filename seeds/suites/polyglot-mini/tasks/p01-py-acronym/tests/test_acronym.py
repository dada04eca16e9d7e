import unittest
from acronym import abbreviate


class TestAcronym(unittest.TestCase):
    def test_basic(self):
        self.assertEqual(abbreviate("Portable Network Graphics"), "PNG")
        self.assertEqual(abbreviate("Ruby on Rails"), "ROR")

    def test_hyphen(self):
        self.assertEqual(abbreviate("Complementary metal-oxide semiconductor"), "CMOS")

    def test_punctuation(self):
        self.assertEqual(abbreviate("The Road _Not_ Taken"), "TRNT")
        self.assertEqual(abbreviate("Halley's Comet"), "HC")
        self.assertEqual(abbreviate("Something - I made up from thin air"), "SIMUFTA")
