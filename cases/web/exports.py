"""CSV downloads: the case list and the metrics, as spreadsheets open them safely."""
import csv

from itertools import chain

from django.http import StreamingHttpResponse

# A cell a spreadsheet would read as a formula (OWASP's "CSV injection"): =, +, -, @, or a tab or a
# carriage return before one of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """Text that would start a formula is kept as text, by a leading apostrophe; numbers and dates as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Line:
    """A file-like for csv.writer that hands each written line back instead of keeping it."""

    def write(self, line):
        return line


def csv_response(filename, header, rows):
    """`rows` (any iterable, read as it is sent) as a CSV download: the first bytes leave before the last
    row is read, and the whole file is never held in memory."""
    writer = csv.writer(Line())
    lines = chain([writer.writerow(header)], (writer.writerow([cell(value) for value in row]) for row in rows))
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
