"""Case numbers: CC-I-DDD, customer code, implementing agency, designator issued in sequence."""
from django.db import connection, transaction

from ..models import DesignatorSequence
from .workflow import WorkflowError

# I and O are left out, as in DSCA designators, so they are never read as 1 and 0.
# Warning: changing this alphabet renumbers every future case; existing numbers stay as issued.
DESIGNATOR_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DESIGNATOR_CAPACITY = len(DESIGNATOR_ALPHABET) ** 3


class DesignatorsExhausted(WorkflowError):
    """Every designator of a purchaser and agency is issued: a conflict with the state of the case
    numbers (the API answers 409), not a fault of the request."""


def designator_for(index):
    """The index-th designator: 0 -> AAA, 1 -> AAB, ..."""
    if not 0 <= index < DESIGNATOR_CAPACITY:
        raise DesignatorsExhausted(f"Designator {index} is beyond the {DESIGNATOR_CAPACITY} available.")
    base = len(DESIGNATOR_ALPHABET)
    return "".join(DESIGNATOR_ALPHABET[index // base**power % base] for power in (2, 1, 0))


def allocate_case_number(country, agency):
    """Issue the next designator for `country` and `agency`; returns (designator, case number).

    Must run inside the transaction that creates the case. The increment is one
    UPDATE ... RETURNING, which row-locks the sequence until commit, so two requests arriving at
    once wait for each other instead of taking the same number. The first case of a pair creates
    the row with INSERT ... ON CONFLICT DO NOTHING for the same reason.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_case_number must run inside the transaction that creates the case.")
    issued = next_in_sequence(country.pk, agency.pk)
    if issued is None:
        DesignatorSequence.objects.bulk_create(
            [DesignatorSequence(country=country, implementing_agency=agency)], ignore_conflicts=True
        )
        issued = next_in_sequence(country.pk, agency.pk)
    try:
        designator = designator_for(issued - 1)
    except DesignatorsExhausted:
        raise DesignatorsExhausted(
            f"All {DESIGNATOR_CAPACITY:,} case designators of {country.customer_code}-{agency.code} are issued; "
            "no new case can be numbered for this purchaser and implementing agency."
        ) from None
    return designator, f"{country.customer_code}-{agency.code}-{designator}"


def next_in_sequence(country_id, agency_id):
    """Increment and return the sequence's count of issued designators; None when it has no row yet."""
    table = DesignatorSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_issued = last_issued + 1 "
            "WHERE country_id = %s AND implementing_agency_id = %s RETURNING last_issued",
            [country_id, agency_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None
