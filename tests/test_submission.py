"""Submitting an LOR: what gets saved, the automatic actionability check, and refused input."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, CaseEvent, DesignatorSequence, LineItem
from cases.process.services.joint_requests import file_joint_request
from cases.process.services.submission import MAX_LINE_ITEMS
from cases.process.stages import Stage

from .builders import T0, lor_fields, submit

pytestmark = pytest.mark.django_db


def item(**overrides):
    values = {"description": "AIM-120D AMRAAM", "capability": "air-to-air-munitions", "quantity": 20,
              "unit_cost_usd": "1100000.00", "is_mde": True}
    values.update(overrides)
    return values


def test_complete_lor_is_actionable_at_once(liaison_pl):
    case = submit(liaison_pl, country="PL", line_items=[item(), item(description="Spares", quantity=1,
                  unit_cost_usd="500000", is_mde=False, capability="sustainment-training")])
    assert case.stage == Stage.LOR_ACTIONABLE
    assert case.lor.completed_at == T0
    assert all(case.lor.checks.values()) and case.lor.missing == []
    events = list(case.events.values_list("verb", "from_stage", "to_stage", "actor"))
    assert events == [
        ("lor_received", "lor_received", "lor_received", liaison_pl.pk),
        ("mark_actionable", "lor_received", "lor_actionable", None),  # the system, not a person
    ]


def test_totals_follow_the_line_items(liaison_pl):
    case = submit(liaison_pl, country="PL", line_items=[
        item(quantity=20, unit_cost_usd="1100000.00"),
        item(description="Hangar", capability="sustainment-training", quantity=1, unit_cost_usd="3000000.50",
             is_mde=False, is_design_construction=True),
    ])
    assert case.total_value_usd == Decimal("25000000.50")
    assert case.mde_value_usd == Decimal("22000000.00")
    assert case.design_construction_value_usd == Decimal("3000000.50")
    assert case.primary_capability_id == "air-to-air-munitions"
    assert sum(line.total_usd for line in case.line_items.all()) == case.total_value_usd


def test_incomplete_lor_stays_received_with_what_is_missing(liaison_pl):
    case = submit(liaison_pl, country="PL", funding_source="", justification="", desired_delivery_date=None)
    assert case.stage == Stage.LOR_RECEIVED
    assert case.lor.missing == [
        "Name the funding source.",
        "Explain the requirement (justification).",
        "Give a desired delivery date.",
    ]
    assert case.lor.completed_at is None
    assert case.events.last().payload == {"missing": case.lor.missing}


def test_lor_validation_is_due_five_days_after_receipt(liaison_pl):
    case = submit(liaison_pl, country="PL")
    assert (case.lor.validation_due_on - T0.date()).days == 5


def test_liaison_of_another_country_is_refused(liaison_de):
    with pytest.raises(ValidationError) as refused:
        submit(liaison_de, country="PL")
    assert refused.value.message_dict == {"country": ["You may submit Letters of Request only for your own country, DE."]}
    assert not Case.objects.exists()


def test_nspa_filing_outside_a_joint_request_is_not_an_authorised_sender(nspa_user):
    case = submit(nspa_user, country="PL")
    assert case.stage == Stage.LOR_RECEIVED
    assert case.lor.checks["sender_authorised"] is False


def test_ineligible_purchaser_is_not_actionable(liaison_pl):
    from bins.models import Country

    Country.objects.filter(pk="PL").update(fms_eligible=False)
    case = submit(liaison_pl, country="PL")
    assert case.stage == Stage.LOR_RECEIVED
    assert "not currently eligible" in case.lor.missing[0]


def test_dcs_negotiation_blocks_actionability(liaison_pl):
    case = submit(liaison_pl, country="PL", dcs_negotiation=True)
    assert case.lor.checks["not_in_dcs"] is False


BAD_INPUT = [
    ("zero quantity", {"line_items": [item(quantity=0)]}, "line_items.0.quantity"),
    ("negative quantity", {"line_items": [item(quantity=-3)]}, "line_items.0.quantity"),
    ("fractional quantity", {"line_items": [item(quantity=1.5)]}, "line_items.0.quantity"),
    ("negative cost", {"line_items": [item(unit_cost_usd="-0.01")]}, "line_items.0.unit_cost_usd"),
    ("non-numeric cost", {"line_items": [item(unit_cost_usd="cheap")]}, "line_items.0.unit_cost_usd"),
    ("infinite cost", {"line_items": [item(unit_cost_usd="Infinity")]}, "line_items.0.unit_cost_usd"),
    ("unknown capability", {"line_items": [item(capability="death-ray")]}, "line_items.0.capability"),
    ("blank description", {"line_items": [item(description="  ")]}, "line_items.0.description"),
    ("no line items", {"line_items": []}, "line_items"),
    ("too many line items", {"line_items": [item()] * (MAX_LINE_ITEMS + 1)}, "line_items"),
    ("total too large", {"line_items": [item(quantity=1_000_000, unit_cost_usd="999999999999")]}, "line_items"),
    ("unknown country", {"country": "XX"}, "country"),
    ("unknown agency", {"implementing_agency": "Z"}, "implementing_agency"),
    ("blank title", {"title": " "}, "title"),
    ("title too long", {"title": "x" * 201}, "title"),
    ("unknown request type", {"request_type": "GIFT"}, "request_type"),
    ("unknown funding", {"funding_source": "lottery"}, "funding_source"),
    ("delivery in the past", {"desired_delivery_date": date(2020, 1, 1)}, "desired_delivery_date"),
]


@pytest.mark.parametrize("label,overrides,field", BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input_is_refused_by_field_and_nothing_is_written(reviewer, label, overrides, field):
    with pytest.raises(ValidationError) as raised:
        submit(reviewer, **overrides)
    assert field in raised.value.message_dict
    assert raised.value.message_dict[field][0]
    assert not Case.objects.exists()
    assert not LineItem.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not DesignatorSequence.objects.exists()


def test_several_errors_are_reported_together(reviewer):
    with pytest.raises(ValidationError) as raised:
        submit(reviewer, title="", line_items=[item(quantity=0), item(unit_cost_usd="-5")])
    assert set(raised.value.message_dict) == {"title", "line_items.0.quantity", "line_items.1.unit_cost_usd"}


class TestJointRequests:
    def participants(self, *codes):
        return [{"country": code, "line_items": [item(description="FIM-92K Stinger",
                 capability="short-range-air-defense", quantity=40, unit_cost_usd="480000")]} for code in codes]

    def file(self, user, **overrides):
        fields = {k: v for k, v in lor_fields().items() if k not in {"country", "line_items", "title", "justification"}}
        fields.update(title="Stinger replenishment, Baltic coalition", model="agent_sales", justification="Coalition buy.",
                      participants=self.participants("LT", "LV"), at=T0)
        fields.update(overrides)
        return file_joint_request(filed_by=user, **fields)

    def test_one_linked_case_per_nation(self, nspa_user):
        joint = self.file(nspa_user)
        cases = list(joint.cases.order_by("country_id"))
        assert [case.country_id for case in cases] == ["LT", "LV"]
        assert all(case.stage == Stage.LOR_ACTIONABLE for case in cases)  # NSPA may file joint requests

    @pytest.mark.parametrize(
        "overrides,field",
        [
            ({"participants": [{"country": "LT", "line_items": []}, {"country": "LT", "line_items": []}]},
             "participants.1.country"),
            ({"participants": [{"country": "LT", "line_items": []}, {"country": "IN", "line_items": []}]},
             "participants.1.country"),
            ({"model": "lead_nation", "lead_nation": "PL"}, "lead_nation"),
            ({"model": "barter"}, "model"),
        ],
        ids=["duplicate", "not-nato", "lead-not-participant", "unknown-model"],
    )
    def test_refused_participants(self, nspa_user, overrides, field):
        with pytest.raises(ValidationError) as raised:
            self.file(nspa_user, **overrides)
        assert field in raised.value.message_dict

    def test_one_bad_participant_writes_nothing(self, nspa_user):
        participants = self.participants("LT", "LV")
        participants[1]["line_items"][0]["quantity"] = 0
        with pytest.raises(ValidationError) as raised:
            self.file(nspa_user, participants=participants)
        assert "participants.1.line_items.0.quantity" in raised.value.message_dict
        assert not Case.objects.exists()
        from cases.models import JointRequest

        assert not JointRequest.objects.exists()
