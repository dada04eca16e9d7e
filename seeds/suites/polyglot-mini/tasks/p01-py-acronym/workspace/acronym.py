def abbreviate(phrase):
    pass
