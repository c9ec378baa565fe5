"""Submitting a Letter of Request: validate and check it, number it and save it once, actionable at once when complete."""
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bins.models import Capability, Country
from fms_review import reference

from ...models import (
    Case,
    CaseEvent,
    FundingSource,
    ImplementingAgency,
    LetterOfRequest,
    LineItem,
    RequestType,
    Role,
    Timer,
    Verb,
)
from ...reads.search import store_vector
from ...shortcuts.inserts import insert
from ...shortcuts.on_commit import once_on_commit
from ...shortcuts.prefetch import hold
from ...tasks import request_batching
from .. import rules, workflow
from ..lor_checks import check_lor
from ..numbering import allocate_case_number
from ..stages import Action
from ..totals import totals_of

MAX_LINE_ITEMS = 200
MAX_QUANTITY = 1_000_000
MAX_UNIT_COST = Decimal("999999999999.99")  # LineItem.unit_cost_usd holds 14 digits, 2 after the point
MAX_TOTAL = Decimal("99999999999999.99")  # Case.total_value_usd holds 16 digits, 2 after the point


def submit_lor(
    *,
    submitted_by,
    country,
    implementing_agency,
    title,
    line_items,
    request_type="",
    funding_source="",
    justification="",
    desired_delivery_date=None,
    originator_reference="",
    third_party_involvement="",
    dcs_negotiation=False,
    tsfd_required=False,
    joint_request=None,
    at=None,
):
    """Create a case from an LOR and return it, holding its LOR and line items as written.

    Raises ValidationError (a dict of field -> messages) for input that cannot be saved, before
    writing anything. An LOR that saves but lacks something the purchaser must supply stays
    `lor_received` with `lor.missing` listed; a complete one becomes `lor_actionable` at once.
    """
    at = at or timezone.now()
    country, agency, items = validate_lor(
        submitted_by=submitted_by,
        country=country,
        implementing_agency=implementing_agency,
        title=title,
        line_items=line_items,
        request_type=request_type,
        funding_source=funding_source,
        desired_delivery_date=desired_delivery_date,
        today=timezone.localdate(at),
    )
    totals = totals_of(items)
    case = Case(
        country=country,
        implementing_agency=agency,
        title=title.strip(),
        primary_capability=totals.primary_capability,
        total_value_usd=totals.total,
        mde_value_usd=totals.mde,
        design_construction_value_usd=totals.design_construction,
        joint_request=joint_request,
        tsfd_required=tsfd_required,
        stage_entered_at=at,
        created_at=at,
        updated_at=at,
    )
    lor = LetterOfRequest(
        case=case,
        request_type=request_type,
        funding_source=funding_source,
        justification=justification,
        desired_delivery_date=desired_delivery_date,
        originator_reference=originator_reference,
        third_party_involvement=third_party_involvement,
        dcs_negotiation=dcs_negotiation,
        received_at=at,
        validation_due_on=rules.due_date(Timer.LOR_VALIDATION, timezone.localdate(at)),
        submitted_by=submitted_by,
    )
    complete = check_lor(lor, at=at)
    # The case number's row stays locked from here until the commit: what follows is only the writes, of
    # values made above.
    with transaction.atomic():
        case.designator, case.case_number = allocate_case_number(country, agency)
        received = CaseEvent(actor=submitted_by, verb=Verb.LOR_RECEIVED, from_stage=case.stage, to_stage=case.stage,
                             payload={"case_number": case.case_number}, at=at)
        workflow.perform_on_new(case, Action.MARK_ACTIONABLE if complete else Action.CHECK_LOR, received=received,
                                at=at)
        store_vector(case, country_name=country.name, descriptions=[item.description for item in items],
                     justification=justification)
        for item in items:
            item.case = case
        hold(case, "line_items", insert(items))
        insert([lor])
    if complete:
        once_on_commit(request_batching)
    return case


def after_check(case, lor, complete, *, at=None):
    """Act on the check of an LOR corrected or supplied (cases.process.services.lor): a complete LOR is
    made actionable by the system at once (no person waits on it); an incomplete one stays received with
    what is missing on record. The caller holds `case` locked. Returns the case as it now stands."""
    case.lor = lor
    if complete:
        once_on_commit(request_batching)
        return workflow.perform(case, Action.MARK_ACTIONABLE, at=at, locked=True)
    return workflow.perform(case, Action.CHECK_LOR, at=at, locked=True)


def validate_lor(
    *, submitted_by, country, implementing_agency, title, line_items, request_type, funding_source,
    desired_delivery_date, today
):
    """Field-level validation of an LOR; returns (country, agency, unsaved line items) or raises."""
    errors = {}
    own = own_country_of(submitted_by)
    if isinstance(country, Country):
        country_obj = country
    else:  # a liaison's own country came with their profile: no need to read it again
        country_obj = own if own and own.pk == country else Country.objects.filter(pk=country).first()
    if country_obj is None:
        errors["country"] = [f"Unknown country {country!r}."]
    elif own and own.pk != country_obj.pk:
        errors["country"] = [f"You may submit Letters of Request only for your own country, {own.pk}."]
    agency = (
        implementing_agency
        if isinstance(implementing_agency, ImplementingAgency)
        else reference.by_key(ImplementingAgency).get(implementing_agency)
    )
    if agency is None:
        errors["implementing_agency"] = [f"Unknown implementing agency {implementing_agency!r}."]
    if not (title or "").strip():
        errors["title"] = ["A title is required."]
    elif len(title) > Case._meta.get_field("title").max_length:
        errors["title"] = [f"At most {Case._meta.get_field('title').max_length} characters."]
    elif problem := unreadable(title):
        errors["title"] = [problem]
    errors.update(lor_field_errors({"request_type": request_type, "funding_source": funding_source,
                                    "desired_delivery_date": desired_delivery_date}, today=today))
    items = line_items_from(line_items, errors)
    if errors:
        raise ValidationError(errors)
    return country_obj, agency, items


# Bidirectional overrides and isolates reorder what follows them on screen: a title could show one thing
# and say another in a list, an export or an audit trail.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unreadable(text):
    """Why a title would not read as what it says, or None: it has no letter, digit, punctuation or symbol
    (only spaces, zero-width or combining marks), or it carries a bidirectional override."""
    if BIDI_CONTROLS & set(text):
        return "Remove the right-to-left or left-to-right override characters."
    if not any(unicodedata.category(char)[0] in "LNPS" for char in text):
        return "A title needs letters or digits, not only invisible or combining marks."
    return None


def own_country_of(user):
    """A liaison's Country (the only one they may file for), else None."""
    profile = getattr(user, "profile", None)
    return profile.country if profile is not None and profile.role == Role.LIAISON else None


def lor_field_errors(fields, *, today):
    """The rules on the LOR fields a purchaser writes and may later correct: {field: [message]}."""
    errors = {}
    if fields.get("request_type") and fields["request_type"] not in RequestType.values:
        errors["request_type"] = [f"Choose one of {', '.join(RequestType.values)}."]
    if fields.get("funding_source") and fields["funding_source"] not in FundingSource.values:
        errors["funding_source"] = [f"Choose one of {', '.join(FundingSource.values)}."]
    if fields.get("desired_delivery_date") and fields["desired_delivery_date"] < today:
        errors["desired_delivery_date"] = ["The desired delivery date is in the past."]
    return errors


def line_items_from(raw_items, errors):
    """LineItems (unsaved) from the purchaser's raw items; what is wrong lands in `errors` under
    `line_items.<index>.<field>`, or `line_items` for the list as a whole."""
    if not raw_items:
        errors["line_items"] = ["At least one line item is required."]
        return []
    if len(raw_items) > MAX_LINE_ITEMS:
        errors["line_items"] = [f"At most {MAX_LINE_ITEMS} line items."]
        return []
    capabilities = reference.by_key(Capability)
    items = []
    for index, raw in enumerate(raw_items):
        prefix = f"line_items.{index}."
        capability = raw.get("capability")
        if not isinstance(capability, Capability):
            capability = capabilities.get(capability)
            if capability is None:
                errors[prefix + "capability"] = [f"Unknown capability {raw.get('capability')!r}."]
        description = (raw.get("description") or "").strip()
        if not description:
            errors[prefix + "description"] = ["A description is required."]
        elif len(description) > LineItem._meta.get_field("description").max_length:
            errors[prefix + "description"] = ["At most 200 characters."]
        quantity = raw.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors[prefix + "quantity"] = ["The quantity must be a whole number of at least 1."]
        elif quantity > MAX_QUANTITY:
            errors[prefix + "quantity"] = [f"The quantity must be at most {MAX_QUANTITY:,}."]
        unit_cost = as_money(raw.get("unit_cost_usd"))
        if unit_cost is None:
            errors[prefix + "unit_cost_usd"] = ["The unit cost must be a number."]
        elif unit_cost < 0:
            errors[prefix + "unit_cost_usd"] = ["The unit cost cannot be negative."]
        elif unit_cost > MAX_UNIT_COST:
            errors[prefix + "unit_cost_usd"] = ["The unit cost is too large."]
        items.append(
            LineItem(
                description=description,
                capability=capability,
                quantity=quantity,
                unit_cost_usd=unit_cost,
                is_mde=bool(raw.get("is_mde", False)),
                is_design_construction=bool(raw.get("is_design_construction", False)),
            )
        )
    if not any(key.startswith("line_items") for key in errors) and totals_of(items).total > MAX_TOTAL:
        errors["line_items"] = ["The total value of the line items is too large."]
    return items


def as_money(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value))
        return amount.quantize(Decimal("0.01")) if amount.is_finite() else None
    except InvalidOperation:
        return None
