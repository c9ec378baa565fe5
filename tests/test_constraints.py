"""The database itself refuses what must never be stored, whatever code path tries."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cases.models import (
    Case,
    CongressionalNotification,
    Decision,
    JointRequest,
    LineItem,
    Profile,
)
from cases.process.stages import Stage

from .builders import Builder, submit

pytestmark = pytest.mark.django_db


def refused(callable_):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            callable_()


@pytest.fixture
def case(reviewer):
    return submit(reviewer)


def test_line_item_quantity_zero(case):
    item = case.line_items.first()
    refused(lambda: LineItem.objects.filter(pk=item.pk).update(quantity=0))


def test_line_item_negative_cost(case):
    refused(lambda: LineItem.objects.filter(pk=case.line_items.first().pk).update(unit_cost_usd=Decimal("-1")))


def test_mde_value_above_total(case):
    refused(lambda: Case.objects.filter(pk=case.pk).update(mde_value_usd=case.total_value_usd + 1))


def test_negative_total(case):
    refused(lambda: Case.objects.filter(pk=case.pk).update(total_value_usd=-1, mde_value_usd=-1))


def test_malformed_case_number(case):
    refused(lambda: Case.objects.filter(pk=case.pk).update(case_number="PL-1-AAA"))


def test_unknown_stage(case):
    refused(lambda: Case.objects.filter(pk=case.pk).update(stage="approved-by-fax"))


def test_duplicate_designator(reviewer, case):
    other = submit(reviewer)
    refused(lambda: Case.objects.filter(pk=other.pk).update(designator=case.designator))


def test_deny_without_reason(reviewer, case):
    refused(lambda: Decision.objects.create(case=case, outcome="deny", reason="", decided_by=reviewer))


def test_return_without_reason(reviewer, case):
    refused(lambda: Decision.objects.create(case=case, outcome="return", reason="", decided_by=reviewer))


def test_waiver_without_justification(reviewer):
    case = Builder(reviewer, large=True).build(Stage.LOA_DEVELOPMENT)
    refused(lambda: CongressionalNotification.objects.filter(case=case).update(emergency_waiver=True))


def test_oed_before_ia_approval(reviewer):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    refused(lambda: type(case.loa).objects.filter(case=case).update(
        ia_approved_on=date(2026, 5, 1), offer_expires_on=date(2026, 4, 1)))


def test_lead_nation_request_without_lead_nation(reviewer):
    refused(lambda: JointRequest.objects.create(filed_by=reviewer, model="lead_nation", title="x"))


def test_liaison_without_country(reviewer):
    refused(lambda: Profile.objects.filter(user=reviewer).update(role="liaison"))


def test_reviewer_with_country(reviewer):
    refused(lambda: Profile.objects.filter(user=reviewer).update(country_id="PL"))
