"""What the API accepts: fields parsed into types (the schema says which); the services and the rule book
judge them, and their errors name the field at fault."""
from rest_framework import serializers

from ..models import FundingSource, JointRequest, LetterOfRequest, LineItem, RequestType
from ..process.services.submission import MAX_LINE_ITEMS, MAX_QUANTITY
from ..process.workflow.inputs import RESUBMIT_REPLY
from .fields import TextField

MAX_PARTICIPANTS = 32


class LineItemInput(serializers.Serializer):
    description = TextField(max_length=LineItem._meta.get_field("description").max_length)
    capability = serializers.SlugField(max_length=40, help_text="A capability slug from /api/v1/capabilities/.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_cost_usd = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    is_mde = serializers.BooleanField(default=False, help_text="Major defense equipment.")
    is_design_construction = serializers.BooleanField(default=False)


class CommonLorFields(serializers.Serializer):
    implementing_agency = TextField(max_length=1, help_text="B Army, D Air Force, P Navy, F DCMA.")
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices)
    title = TextField(max_length=200)
    justification = TextField(max_length=LetterOfRequest._meta.get_field("justification").max_length)
    desired_delivery_date = serializers.DateField()
    originator_reference = TextField(max_length=60, required=False, default="", allow_blank=True)


class LorInput(CommonLorFields):
    country = TextField(max_length=2, help_text="ISO alpha-2 code of the purchaser: your own country.")
    third_party_involvement = TextField(max_length=2000, required=False, default="", allow_blank=True)
    dcs_negotiation = serializers.BooleanField(
        default=False, help_text="True if the same item is being negotiated as a Direct Commercial Sale."
    )
    line_items = LineItemInput(many=True, min_length=1, max_length=MAX_LINE_ITEMS)


class ParticipantInput(serializers.Serializer):
    country = TextField(max_length=2)
    line_items = LineItemInput(many=True, min_length=1, max_length=MAX_LINE_ITEMS)


class JointRequestInput(CommonLorFields):
    model = serializers.ChoiceField(choices=JointRequest.Model.choices)
    lead_nation = TextField(max_length=2, allow_null=True, required=False, default=None)
    participants = ParticipantInput(many=True, min_length=2, max_length=MAX_PARTICIPANTS)


class LorAmendInput(serializers.Serializer):
    """What the purchaser may supply or correct on an LOR that is received or returned: any of these."""

    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, required=False)
    justification = TextField(max_length=5000, required=False)
    desired_delivery_date = serializers.DateField(required=False)
    originator_reference = TextField(max_length=60, required=False, allow_blank=True)
    third_party_involvement = TextField(max_length=2000, required=False, allow_blank=True)
    dcs_negotiation = serializers.BooleanField(required=False)
    line_items = LineItemInput(many=True, min_length=1, max_length=MAX_LINE_ITEMS, required=False,
                               help_text="The corrected line items: they replace the LOR's, and its totals follow.")
    reply = TextField(max_length=RESUBMIT_REPLY.max_length, required=False, allow_blank=True,
                      help_text="Resubmitting a returned LOR only: your answer to the reviewer, kept on the case.")
