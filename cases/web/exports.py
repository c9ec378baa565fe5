"""CSV downloads: the case list and the metrics, as spreadsheets open them safely."""
import csv

from django.http import HttpResponse

# A cell a spreadsheet would read as a formula (OWASP's "CSV injection"): =, +, -, @, or a tab or a
# carriage return before one of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """Text that would start a formula is kept as text, by a leading apostrophe; numbers and dates as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return response
