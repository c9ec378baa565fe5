"""Case search, for the header's box, the case list, its CSV export and the API's `?search=`.

What is searched: the case number, the title, the country's name, the line items' descriptions and the
LOR's justification, weighted in that order when ranking. On PostgreSQL a stored, GIN-indexed vector
(`CaseSearch.vector`, a row beside each case) is matched and ranked; its writers (`submit_lor`, `amend_lor`, a country renamed
in the admin) keep it current through `vector_for` and `refresh_vectors`. On SQLite (development, the
default tests) every word is looked for in the fields themselves, and no vector is stored.

The caller passes cases already scoped by `visible_to`: a search narrows what a user may see, never more.
"""
import operator
import re
from functools import cache, reduce

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, connections
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models import Case as Choose
from django.db.models.functions import Left
from django.db.models.sql import Query

from bins.models import Country

from ..models import Case, CaseSearch, LetterOfRequest, LineItem
from ..models.case import CASE_NUMBER

# 'english' rather than 'simple': LORs are written in English prose, and stemming lets "interceptor"
# find "interceptors" and "replenish" find "replenishment". Case numbers (pl-b-aac), system names (pac-3)
# and country names pass through its stemmer whole. The vector, its migration (0017) and every query
# must use the same one: a query parsed otherwise misses words stored stemmed.
CONFIG = "english"
MAX_LENGTH = 200  # templates/base.html's search box says the same (maxlength)
# "PL-B" (a purchaser's cases with one agency) is a phrase of lexemes no whole case number holds, so
# the number's first four characters are stored beside it.
PREFIX_LENGTH = 4
WORD_WEIGHTS = {"A": 4, "B": 3, "C": 2, "D": 1}  # the SQLite fallback's rank, in the vector's order
# A search ranks the newest this many of its matches, no more. Ranking reads every match's vector, and
# counting them every match's row: a word found in every case (116,000 with LORs' prose, make bench)
# took 120 ms, where the newest 1,000 take a few. A reviewer who types a word that common wants fewer
# words' worth of results, not a ranking of the whole register; GitHub's search stops at 1,000 too.
CANDIDATES = 1000


def case_number_in(text):
    """`text` as a case number (any case, spaces around it), or None when it is not shaped like one."""
    candidate = (text or "").strip().upper()
    return candidate if re.fullmatch(CASE_NUMBER, candidate) else None


def visible_case_number(user, text):
    """The case number `text` names when `user` may see that case; else None, the same for a case the
    user may not see as for one that does not exist."""
    number = case_number_in(text)
    if number and Case.objects.visible_to(user).filter(case_number=number).exists():
        return number
    return None


def search(queryset, text):
    """The newest `CANDIDATES` cases of `queryset` (already `visible_to`) that match `text`, best match
    first, then newest."""
    matches, rank = matched(queryset, text)
    newest = matches.order_by("-created_at", "-id").values("pk")[:CANDIDATES]
    return queryset.filter(pk__in=newest).alias(rank=rank).order_by("-rank", "-created_at", "-id")


def matched(queryset, text):
    """(the cases of `queryset` matching `text`, the expression that ranks them)."""
    if connections[queryset.db].vendor == "postgresql":
        return full_text_match(queryset, text)
    return every_word_contained(queryset, text)


def full_text_match(queryset, text):
    # websearch_to_tsquery takes any text ("quoted phrases", or, -word) and never raises on syntax.
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    return queryset.filter(search__vector=query), SearchRank(F("search__vector"), query)


def every_word_contained(queryset, text):
    """Every word somewhere in the searched fields; each word adds the weight of the best field it is in."""
    words = text.replace('"', " ").split()
    rank = Value(0)
    if not words:  # only quotes: no word to find, as websearch_to_tsquery finds none in them
        return queryset.none(), rank
    for word in words:
        fields = places(word)
        queryset = queryset.filter(reduce(operator.or_, fields.values()))
        rank = rank + Choose(*(When(found, then=WORD_WEIGHTS[weight]) for weight, found in fields.items()),
                             default=0)
    return queryset, rank


def places(word):
    """Where `word` may be found, by the weight of the place."""
    return {
        "A": Q(case_number__icontains=word) | Q(title__icontains=word),
        "B": Q(country__name__icontains=word),
        "C": Q(Exists(LineItem.objects.filter(case=OuterRef("pk"), description__icontains=word))),
        "D": Q(lor__justification__icontains=word),
    }


def vector(sources):
    """The weighted search vector of `sources`: {weight: [text expressions]}, A weighing most."""
    return reduce(operator.add, (SearchVector(*texts, weight=weight, config=CONFIG)
                                 for weight, texts in sources.items()))


def store_vector(case, *, country_name, descriptions, justification):
    """Store the vector of a case just created, from the values it is made of (no read back), on
    PostgreSQL; nothing elsewhere. The same text, weight by weight, as `refresh_vectors` reads back."""
    if connection.vendor != "postgresql":
        return
    sql, places = vector_insert()
    texts = [case.case_number, case.case_number[:PREFIX_LENGTH], case.title, country_name, " ".join(descriptions),
             justification]
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk, *(texts[place] if place is not None else value for place, value in places)])


@cache
def vector_insert():
    """The INSERT of a new case's vector, compiled once per process (building and compiling the vector's
    expression for each submission cost more than running it): its SQL, and for each parameter after the
    case's id either the index of the text it takes (number, prefix, title, country, items, justification)
    or None and its constant (the configuration, a weight)."""
    marks = [f"\x00text {index}" for index in range(6)]
    expression = vector({"A": [Value(marks[0]), Value(marks[1]), Value(marks[2])], "B": [Value(marks[3])],
                         "C": [Value(marks[4])], "D": [Value(marks[5])]})
    query = Query(CaseSearch)
    sql, params = query.get_compiler(connection=connection).compile(expression.resolve_expression(query))
    places = [(marks.index(param), None) if param in marks else (None, param) for param in params]
    return f"INSERT INTO {CaseSearch._meta.db_table} (case_id, vector) VALUES (%s, {sql})", places


def refresh_vectors(cases):
    """Rebuild the stored vector of `cases` (a queryset) from what they hold now, in one statement;
    nothing off PostgreSQL. Call it in the transaction that changed a searched field."""
    if connections[cases.db].vendor != "postgresql":
        return 0
    items = (LineItem.objects.filter(case=OuterRef("pk")).order_by().values("case")
             .annotate(text=StringAgg("description", delimiter=" ", order_by="id")).values("text"))
    rebuilt = cases.order_by().annotate(rebuilt=vector({
        "A": [F("case_number"), Left("case_number", PREFIX_LENGTH), F("title")],
        "B": [Subquery(Country.objects.filter(pk=OuterRef("country_id")).values("name"))],
        "C": [Subquery(items)],
        "D": [Subquery(LetterOfRequest.objects.filter(case=OuterRef("pk")).values("justification"))],
    })).values_list("pk", "rebuilt")
    sql, params = rebuilt.query.sql_with_params()
    with connections[cases.db].cursor() as cursor:
        cursor.execute(f"INSERT INTO {CaseSearch._meta.db_table} (case_id, vector) {sql} "
                       "ON CONFLICT (case_id) DO UPDATE SET vector = EXCLUDED.vector", params)
        return cursor.rowcount
