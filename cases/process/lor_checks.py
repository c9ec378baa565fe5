"""The actionability checks an application can run on an LOR (after SAMM table C5.T3a).

A check that fails names what the purchaser must supply. Checks needing human judgement (Country
Team Assessment, combatant-command endorsement) are left to the reviewer.
"""
from ..models import Role

# (name, predicate, what to supply when it fails). Order is the order shown to the purchaser.
CHECKS = (
    (
        "purchaser_eligible",
        lambda lor: lor.case.country.fms_eligible,
        "The purchaser is not currently eligible for FMS.",
    ),
    (
        "sender_authorised",
        lambda lor: sender_may_file(lor.submitted_by, lor.case),
        "The sender is not authorised to request for this purchaser.",
    ),
    ("request_type", lambda lor: bool(lor.request_type), "Say whether an LOA or price and availability is wanted."),
    ("funding_source", lambda lor: bool(lor.funding_source), "Name the funding source."),
    ("justification", lambda lor: bool(lor.justification.strip()), "Explain the requirement (justification)."),
    ("delivery_date", lambda lor: lor.desired_delivery_date is not None, "Give a desired delivery date."),
    (
        "not_in_dcs",
        lambda lor: not lor.dcs_negotiation,
        "The same item is being negotiated as a Direct Commercial Sale; withdraw one of the two.",
    ),
)


def sender_may_file(user, case):
    """A liaison files for their own country, NSPA for its joint requests; US staff may enter any LOR."""
    if user is None:
        return False
    profile = getattr(user, "profile", None)
    if profile is None:
        return user.is_superuser
    if profile.role == Role.LIAISON:
        return profile.country_id == case.country_id
    if profile.role == Role.NSPA:
        return case.joint_request_id is not None
    return True


def check_lor(lor, *, at):
    """Run the checks on `lor` (not saved); a complete LOR is stamped complete. Returns whether it is."""
    complete = run_checks(lor)
    lor.completed_at = at if complete else None
    return complete


def run_checks(lor):
    """Write the result of every check onto `lor` (not saved); return True when all hold."""
    lor.checks = {}
    lor.missing = []
    for name, holds, remedy in CHECKS:
        passed = bool(holds(lor))
        lor.checks[name] = passed
        if not passed:
            lor.missing.append(remedy)
    return not lor.missing
