"""NSPA files one joint request for several member nations; each nation gets its own linked case."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bins.models import Country

from ...models import JointRequest
from .submission import submit_lor


def file_joint_request(*, filed_by, title, model, participants, lead_nation=None, justification="", at=None, **lor):
    """Create the joint request and one case per participant, all or nothing.

    `participants` is a list of {"country": iso2 or Country, "line_items": [...]}; `lor` holds the LOR
    fields common to every nation (agency, request type, funding, delivery date). Raises
    ValidationError naming the field at fault; a participant's own errors are prefixed
    "participants.<n>.".
    """
    at = at or timezone.now()
    countries = validate_participants(participants, model=model, lead_nation=lead_nation)
    errors = {}
    with transaction.atomic():
        joint = JointRequest.objects.create(
            filed_by=filed_by,
            model=model,
            lead_nation=countries.get(lead_nation) if lead_nation else None,
            title=title,
            justification=justification,
            created_at=at,
        )
        for index, participant in enumerate(participants):
            try:
                submit_lor(
                    submitted_by=filed_by,
                    country=countries[iso_of(participant["country"])],
                    title=title,
                    justification=justification,
                    line_items=participant.get("line_items"),
                    joint_request=joint,
                    at=at,
                    **lor,
                )
            except ValidationError as error:
                errors.update({f"participants.{index}.{field}": messages for field, messages in error.message_dict.items()})
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)
    return joint


def iso_of(country):
    return country.pk if isinstance(country, Country) else country


def validate_participants(participants, *, model, lead_nation):
    """Participants must be distinct NATO members or partners; a lead nation must be one of them."""
    errors = {}
    if model not in JointRequest.Model.values:
        errors["model"] = [f"Choose one of {', '.join(JointRequest.Model.values)}."]
    codes = [iso_of(participant.get("country")) for participant in participants or []]
    if len(codes) < 2:
        errors["participants"] = ["A joint request needs at least two participating nations."]
    countries = Country.objects.in_bulk(codes)
    for index, code in enumerate(codes):
        country = countries.get(code)
        if country is None:
            errors[f"participants.{index}.country"] = [f"Unknown country {code!r}."]
        elif not (country.nato_member or country.nato_partner):
            errors[f"participants.{index}.country"] = [f"{country.name} is neither a NATO member nor a NATO partner."]
        elif code in codes[:index]:
            errors[f"participants.{index}.country"] = [f"{country.name} is listed twice."]
    if model == JointRequest.Model.LEAD_NATION and iso_of(lead_nation) not in codes:
        errors["lead_nation"] = ["A lead-nation request needs a lead nation that is one of the participants."]
    if model == JointRequest.Model.AGENT_SALES and lead_nation:
        errors["lead_nation"] = ["Agent sales have no lead nation; send null."]
    if errors:
        raise ValidationError(errors)
    return countries
