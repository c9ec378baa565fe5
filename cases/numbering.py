"""Case numbers: CC-I-DDD, customer code, implementing agency, designator issued in sequence."""
from django.db import transaction

from .models import DesignatorSequence

# I and O are left out, as in DSCA designators, so they are never read as 1 and 0.
# Warning: changing this alphabet renumbers every future case; existing numbers stay as issued.
DESIGNATOR_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DESIGNATOR_CAPACITY = len(DESIGNATOR_ALPHABET) ** 3


class DesignatorsExhausted(Exception):
    pass


def designator_for(index):
    """The index-th designator: 0 -> AAA, 1 -> AAB, ..."""
    if not 0 <= index < DESIGNATOR_CAPACITY:
        raise DesignatorsExhausted(f"Designator {index} is beyond the {DESIGNATOR_CAPACITY} available.")
    base = len(DESIGNATOR_ALPHABET)
    return "".join(DESIGNATOR_ALPHABET[index // base**power % base] for power in (2, 1, 0))


def allocate_case_number(country, agency):
    """Issue the next designator for `country` and `agency`; returns (designator, case number).

    Must run inside the transaction that creates the case. The sequence row is locked
    (SELECT ... FOR UPDATE) so two requests arriving at once wait for each other instead of taking
    the same number; its first creation is an INSERT ... ON CONFLICT DO NOTHING for the same reason.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_case_number must run inside the transaction that creates the case.")
    sequences = DesignatorSequence.objects.select_for_update()
    sequence = sequences.filter(country=country, implementing_agency=agency).first()
    if sequence is None:
        DesignatorSequence.objects.bulk_create(
            [DesignatorSequence(country=country, implementing_agency=agency)], ignore_conflicts=True
        )
        sequence = sequences.get(country=country, implementing_agency=agency)
    designator = designator_for(sequence.last_issued)
    sequence.last_issued += 1
    sequence.save(update_fields=["last_issued"])
    return designator, f"{country.customer_code}-{agency.code}-{designator}"
