def title_words(s):
    return " ".join(word.capitalize() for word in s.split(" "))
