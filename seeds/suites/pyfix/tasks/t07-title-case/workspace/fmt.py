def title_words(s):
    return s.capitalize()
