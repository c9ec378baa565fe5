"""The one body the API reads: JSON, parsed by DRF, with its failures all answered 400."""
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser, which answers malformed JSON with 400 but lets a deeply nested document (a thousand
    `[`) overflow Python's decoder into a 500. No body this API takes nests more than a few levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
