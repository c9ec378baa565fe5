"""A case's audit trail as a person reads it: what happened, from which stage to which, why, what changed,
who and when. Read from the events the rule book wrote; the batch ids in them are shown to reviewers only."""
from dataclasses import dataclass

from django.urls import reverse

from ..models import REVIEWERS, LetterOfRequest, role_of
from ..process.stages import Stage

# Payload keys that are the record's plumbing, not its content.
UNSHOWN = {"case_number", "decision", "rule"}
LOR_FIELDS = {field.name: field for field in LetterOfRequest._meta.get_fields() if hasattr(field, "verbose_name")}


@dataclass(frozen=True)
class Entry:
    at: object
    what: str
    stages: str  # "From → To", or "" when the stage did not change
    actor: str
    details: list  # (text, link or None)


def trail(case, user):
    """The entries of `case`'s trail, oldest first, from its prefetched events."""
    reviewer = role_of(user) in REVIEWERS
    return [
        Entry(
            at=event.at,
            what=event.get_verb_display(),
            stages="" if event.from_stage == event.to_stage else f"{stage_label(event.from_stage)} → "
                                                                 f"{stage_label(event.to_stage)}",
            actor=event.actor.get_full_name() or event.actor.username if event.actor else "system",
            details=list(details_of(event.payload, reviewer)),
        )
        for event in case.events.all()
    ]


def stage_label(value):
    return Stage(value).label if value in Stage.values else value or "—"


def details_of(payload, reviewer):
    for key, value in payload.items():
        if key in UNSHOWN:
            continue
        if key in ("batch", "left_batch"):
            if reviewer:
                label = "Batch" if key == "batch" else "Left batch"
                yield f"{label} {value}", reverse("batch", args=[value])
        elif key == "reason":
            yield f"Reason: {value}", None
        elif key == "reply":
            yield f"Reply to the reviewer: {value}", None
        elif key == "changed":
            yield from ((change, None) for change in changes(value))
        elif key in ("missing", "tripped"):
            yield f"{humanize(key)}: {'; '.join(value) if value else 'nothing'}", None
        else:
            yield f"{humanize(key)}: {shown(value)}", None


def changes(changed):
    """An LOR amendment's changes: field, before and after; an older event names only the fields."""
    if isinstance(changed, list):
        yield f"Changed: {', '.join(humanize(name) for name in changed)}"
        return
    for name, (before, after) in changed.items():
        if name == "line_items":
            yield from line_item_changes(before, after)
        else:
            yield f"{humanize(name)}: {shown(before, name)} → {shown(after, name)}"


def line_item_changes(before, after):
    """Line items as lines removed and added (a changed quantity is one of each), so a reviewer reads
    what the purchaser corrected, not two full lists to compare."""
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    if removed:
        yield f"Line items removed: {'; '.join(removed)}"
    if added:
        yield f"Line items added: {'; '.join(added)}"


def humanize(key):
    field = LOR_FIELDS.get(key)
    return str(field.verbose_name).capitalize() if field else key.replace("_", " ").capitalize()


def shown(value, field_name=None):
    field = LOR_FIELDS.get(field_name)
    if field is not None and field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)
