import re


def abbreviate(phrase):
    words = re.split(r"[\s-]+", phrase)
    letters = []
    for word in words:
        word = re.sub(r"[^A-Za-z']", "", word)
        if word:
            letters.append(word[0].upper())
    return "".join(letters)
