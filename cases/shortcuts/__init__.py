"""Speed shortcuts that lean on private or undocumented parts of Django, DRF or django-filter.

Each one was measured before it was kept (README, "What makes the lists cheap"), and each has a test in
tests/test_shortcuts.py that fails if the attribute or behaviour it relies on goes away in an upgrade.
Nothing outside this package touches those private parts.
"""
