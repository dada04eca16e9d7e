def column_sums(csv_text):
    lines = csv_text.strip().splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    sums = {}
    for i, name in enumerate(header):
        try:
            sums[name] = sum(float(row[i]) for row in rows)
        except ValueError:
            pass
    return sums
