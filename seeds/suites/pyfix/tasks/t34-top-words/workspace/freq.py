from collections import Counter


def top_words(text, k):
    words = text.split()
    return Counter(words).most_common(k)
