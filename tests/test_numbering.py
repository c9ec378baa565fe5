"""Case numbers: format, sequence per purchaser and agency, and no duplicates under concurrency."""
import re

import pytest
from django.db import transaction

from bins.models import Country
from cases.models import ImplementingAgency
from cases.process.numbering import (
    DESIGNATOR_CAPACITY,
    DesignatorsExhausted,
    allocate_case_number,
    designator_for,
)

from .builders import submit
from .concurrency import run_concurrently


@pytest.mark.parametrize(
    "index,designator",
    [(0, "AAA"), (1, "AAB"), (7, "AAH"), (8, "AAJ"), (23, "AAZ"), (24, "ABA"), (DESIGNATOR_CAPACITY - 1, "ZZZ")],
)
def test_designators_skip_i_and_o(index, designator):
    assert designator_for(index) == designator


def test_designators_run_out_loudly():
    with pytest.raises(DesignatorsExhausted):
        designator_for(DESIGNATOR_CAPACITY)


@pytest.mark.django_db
def test_numbers_follow_the_pattern_and_run_per_purchaser_and_agency(reviewer):
    numbers = [submit(reviewer, country=country, implementing_agency=agency).case_number
               for country, agency in [("PL", "B"), ("PL", "B"), ("PL", "D"), ("DE", "B"), ("PL", "B")]]
    assert numbers == ["PL-B-AAA", "PL-B-AAB", "PL-D-AAA", "DE-B-AAA", "PL-B-AAC"]
    assert all(re.fullmatch(r"[A-Z0-9]{2}-[A-Z]-[A-Z0-9]{3}", number) for number in numbers)


@pytest.mark.django_db
def test_customer_code_is_used_not_the_iso_code(reviewer):
    Country.objects.filter(pk="PL").update(customer_code="P9")
    assert submit(reviewer, country="PL").case_number == "P9-B-AAA"


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        allocate_case_number(Country.objects.get(pk="PL"), ImplementingAgency.objects.get(pk="B"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_of_pair", [True, False], ids=["new-sequence", "existing-sequence"])
def test_concurrent_allocations_never_share_a_number(postgres, first_of_pair):
    """Several real transactions allocate at once on PostgreSQL; each waits on the row lock."""
    country, agency = Country.objects.get(pk="NO"), ImplementingAgency.objects.get(pk="P")
    if not first_of_pair:
        with transaction.atomic():
            allocate_case_number(country, agency)
    workers = 6

    def allocate():
        with transaction.atomic():
            return allocate_case_number(country, agency)[1]

    results = run_concurrently(allocate, workers)
    assert len(set(results)) == workers
    offset = 0 if first_of_pair else 1
    assert sorted(results) == [f"NO-P-{designator_for(offset + n)}" for n in range(workers)]


@pytest.mark.django_db
def test_a_purchaser_out_of_designators_gets_409_and_nothing_is_written(api, liaison_pl):
    from cases.models import Case, DesignatorSequence

    from .api_data import lor

    DesignatorSequence.objects.create(country_id="PL", implementing_agency_id="B", last_issued=DESIGNATOR_CAPACITY)
    response = api(liaison_pl).post("/api/v1/lors/", lor(), format="json")
    assert response.status_code == 409
    assert "All 13,824 case designators of PL-B are issued" in response.json()["detail"]
    assert not Case.objects.exists()
    assert DesignatorSequence.objects.get(country_id="PL", implementing_agency_id="B").last_issued == DESIGNATOR_CAPACITY
