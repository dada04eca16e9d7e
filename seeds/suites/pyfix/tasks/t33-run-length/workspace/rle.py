def encode(s):
    out = []
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(str(j - i) + s[i])
        i = j
    return "".join(out)


def decode(s):
    out = []
    for i in range(0, len(s), 2):
        out.append(s[i + 1] * int(s[i]))
    return "".join(out)
