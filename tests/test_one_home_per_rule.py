"""No rule is written in more than one place: every message the rule book and the services refuse with
is spelled once in the code base (templates included), and so is the reviewer role set."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOMES = ["cases/process/workflow/conditions.py", "cases/process/workflow/inputs.py",
         "cases/process/workflow/batch_effects.py", "cases/process/workflow/perform.py",
         "cases/process/workflow/rulebook.py", "cases/process/services/submission.py",
         "cases/process/services/lor.py", "cases/process/services/joint_requests.py"]
SOURCES = [path for folder in ("cases", "bins", "fms_review", "templates") for path in (ROOT / folder).rglob("*")
           if path.suffix in {".py", ".html"} and "migrations" not in path.parts]


def literals(path):
    """Every string literal of a module as Python reads it (pieces split over lines joined), or a
    template's text."""
    if path.suffix == ".html":
        return [path.read_text()]
    texts, inside_fstrings = [], set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.JoinedStr):
            parts = [value for value in node.values if isinstance(value, ast.Constant)]
            inside_fstrings.update(map(id, parts))
            texts.extend(part.value for part in parts)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings:
            texts.append(node.value)
    return texts


def fragments(path):
    """The literal text of each message in `path`: whole strings, and the fixed parts of f-strings,
    long enough to be a message (not a field name), and not SQL or a docstring."""
    return {text.strip() for text in literals(path)
            if 24 <= len(text.strip()) <= 200 and text.strip()[0].isupper() and "%s" not in text and "\n" not in text}


LITERALS = {path: literals(path) for path in SOURCES}


def written_in(text):
    return [str(path.relative_to(ROOT)) for path, texts in LITERALS.items() for literal in texts
            for _ in range(literal.count(text))]


def messages():
    seen = {}
    for home in HOMES:
        for text in fragments(ROOT / home):
            seen.setdefault(text, home)
    return sorted(seen.items())


def test_there_are_messages_to_check():
    assert len(messages()) > 60


@pytest.mark.parametrize("text,home", messages(), ids=lambda value: value[:40])
def test_each_message_is_written_once(text, home):
    places = written_in(text)
    assert places == [home], f"{text!r} is written in {places}"


@pytest.mark.parametrize("text", ["A reason is required to deny or return", "delivery date is in the past",
                                  "neither a NATO member nor a NATO partner", "is listed twice",
                                  "{Role.REVIEWER, Role.ADMIN}", "informal (tiered) review first"])
def test_the_rules_the_issue_found_copied_have_one_home(text):
    places = [str(path.relative_to(ROOT)) for path in SOURCES if text in path.read_text()]
    assert len(places) == 1, places  # the raw text: a copy split over two lines would show here too
