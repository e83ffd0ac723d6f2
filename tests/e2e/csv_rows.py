#!/usr/bin/env python3
"""csv_rows.py FILE - parse FILE strictly as RFC 4180 with Python's csv
module and print it as JSON: {"rows": [[field, ...], ...]}. Exits 1 with
a message when the file is not: a bad quote, a row of another width than
the header, a line not ended by CRLF, invalid UTF-8."""
import csv
import io
import json
import sys

data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8", errors="strict")
except UnicodeDecodeError as e:
    sys.exit(f"{sys.argv[1]}: not UTF-8: {e}")
if text and not text.endswith("\r\n"):
    sys.exit(f"{sys.argv[1]}: the last line does not end with CRLF")
# Outside quoted fields every line break is CRLF.
quoted = False
for i, ch in enumerate(text):
    if ch == '"':
        quoted = not quoted
    elif ch == "\n" and not quoted and (i == 0 or text[i - 1] != "\r"):
        sys.exit(f"{sys.argv[1]}: a bare LF line end at offset {i}")
try:
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
except csv.Error as e:
    sys.exit(f"{sys.argv[1]}: {e}")
for n, row in enumerate(rows[1:], 2):
    if len(row) != len(rows[0]):
        sys.exit(f"{sys.argv[1]}:{n}: {len(row)} fields, the header has {len(rows[0])}")
json.dump({"rows": rows}, sys.stdout)
