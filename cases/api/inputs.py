"""What the API accepts: field-level validation that names the field at fault, then one service call."""
from django.utils import timezone
from rest_framework import serializers

from bins.models import Capability, Country

from ..models import (
    FundingSource,
    ImplementingAgency,
    JointRequest,
    LetterOfRequest,
    LineItem,
    RequestType,
)
from ..process.services.submission import MAX_LINE_ITEMS, MAX_QUANTITY

MAX_PARTICIPANTS = 32


class LineItemInput(serializers.Serializer):
    description = serializers.CharField(max_length=LineItem._meta.get_field("description").max_length)
    capability = serializers.SlugField(max_length=40, help_text="A capability slug from /api/v1/capabilities/.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_cost_usd = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    is_mde = serializers.BooleanField(default=False, help_text="Major defense equipment.")
    is_design_construction = serializers.BooleanField(default=False)


def validate_capabilities(line_items):
    """One query for every capability named; errors are placed on the item that names an unknown one.
    The items leave with the Capability rows, which the submission service then need not look up."""
    known = Capability.objects.in_bulk({item["capability"] for item in line_items})
    errors = {
        index: {"capability": [f"Unknown capability {item['capability']!r}."]}
        for index, item in enumerate(line_items)
        if item["capability"] not in known
    }
    if errors:  # keyed by position, as DRF reports the other errors of a list
        raise serializers.ValidationError(errors)
    return [dict(item, capability=known[item["capability"]]) for item in line_items]


class CommonLorFields(serializers.Serializer):
    implementing_agency = serializers.CharField(max_length=1, help_text="B Army, D Air Force, P Navy, F DCMA.")
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices)
    title = serializers.CharField(max_length=200)
    justification = serializers.CharField(max_length=LetterOfRequest._meta.get_field("justification").max_length)
    desired_delivery_date = serializers.DateField()
    originator_reference = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)

    def validate_implementing_agency(self, code):
        agency = ImplementingAgency.objects.filter(pk=code).first()
        if agency is None:
            raise serializers.ValidationError(f"Unknown implementing agency {code!r}.")
        return agency

    def validate_desired_delivery_date(self, day):
        if day < timezone.localdate():
            raise serializers.ValidationError("The desired delivery date is in the past.")
        return day


class LorInput(CommonLorFields):
    country = serializers.CharField(max_length=2, help_text="ISO alpha-2 code of the purchaser: your own country.")
    third_party_involvement = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    dcs_negotiation = serializers.BooleanField(
        default=False, help_text="True if the same item is being negotiated as a Direct Commercial Sale."
    )
    line_items = LineItemInput(many=True, min_length=1, max_length=MAX_LINE_ITEMS)

    def validate_country(self, code):
        profile = self.context["request"].user.profile
        if code != profile.country_id:
            raise serializers.ValidationError(
                f"You may submit Letters of Request only for your own country, {profile.country_id}."
            )
        return profile.country

    def validate_line_items(self, line_items):
        return validate_capabilities(line_items)


class ParticipantInput(serializers.Serializer):
    country = serializers.CharField(max_length=2)
    line_items = LineItemInput(many=True, min_length=1, max_length=MAX_LINE_ITEMS)

    def validate_line_items(self, line_items):
        return validate_capabilities(line_items)


class JointRequestInput(CommonLorFields):
    model = serializers.ChoiceField(choices=JointRequest.Model.choices)
    lead_nation = serializers.CharField(max_length=2, allow_null=True, required=False, default=None)
    participants = ParticipantInput(many=True, min_length=2, max_length=MAX_PARTICIPANTS)

    def validate_participants(self, participants):
        codes = [participant["country"] for participant in participants]
        countries = Country.objects.in_bulk(codes)
        errors = {}
        for index, code in enumerate(codes):
            country = countries.get(code)
            if country is None:
                errors[index] = {"country": [f"Unknown country {code!r}."]}
            elif not (country.nato_member or country.nato_partner):
                errors[index] = {"country": [f"{country.name} is neither a NATO member nor a NATO partner."]}
            elif code in codes[:index]:
                errors[index] = {"country": [f"{country.name} is listed twice."]}
        if errors:
            raise serializers.ValidationError(errors)
        return participants

    def validate(self, data):
        codes = [participant["country"] for participant in data["participants"]]
        if data["model"] == JointRequest.Model.LEAD_NATION and data.get("lead_nation") not in codes:
            raise serializers.ValidationError(
                {"lead_nation": ["A lead-nation request needs a lead nation that is one of the participants."]}
            )
        if data["model"] == JointRequest.Model.AGENT_SALES and data.get("lead_nation"):
            raise serializers.ValidationError({"lead_nation": ["Agent sales have no lead nation; send null."]})
        return data


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class LorAmendInput(serializers.Serializer):
    """What the purchaser may supply or correct on an LOR that is received or returned: any of these."""

    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, required=False)
    justification = serializers.CharField(max_length=5000, required=False)
    desired_delivery_date = serializers.DateField(required=False)
    originator_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    third_party_involvement = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    dcs_negotiation = serializers.BooleanField(required=False)

    def validate_desired_delivery_date(self, day):
        if day < timezone.localdate():
            raise serializers.ValidationError("The desired delivery date is in the past.")
        return day

    def validate(self, data):
        if not data:
            raise serializers.ValidationError({"non_field_errors": ["Give at least one field to change."]})
        return data
