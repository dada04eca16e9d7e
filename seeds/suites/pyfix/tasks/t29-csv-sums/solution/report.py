import csv
import io


def column_sums(csv_text):
    rows = list(csv.reader(io.StringIO(csv_text.strip())))
    header, rows = rows[0], rows[1:]
    sums = {}
    for i, name in enumerate(header):
        try:
            sums[name] = sum(float(row[i]) for row in rows)
        except (ValueError, IndexError):
            pass
    return sums
