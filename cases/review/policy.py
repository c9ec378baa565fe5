"""Which review policy a batch follows and what it does when the batch's review starts.

A batch opens under its bin's policy row in force that day, or the standard policy (the row with no
bin) when the batch is a region's or its bin has none. The policy sets the window (how long and how
large a batch grows before it enters review), the due days of the decision and of the offices, and the
standing releases that spare a bin's members a new TSFD review.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from bins.grouping import groups_by_country

from ..models import Case, ReviewBatch, ReviewPolicy, StandingRelease, Timer, Verb
from ..process import bulk
from ..process.rules import timer_days
from ..process.stages import Stage
from ..templatetags.dates import when


class NoPolicy(LookupError):
    """No standard policy row is in force: the reference data is incomplete."""


def policies_in_force(on):
    """{bin id, or None for the standard policy: its row in force on `on`}, from one query."""
    latest = {}
    for row in ReviewPolicy.objects.filter(effective_from__lte=on).select_related("bin").order_by("effective_from"):
        latest[row.bin_id] = row
    if None not in latest:
        raise NoPolicy(f"No standard review policy is in force on {on}.")
    return latest


def policy_for(bin_id, in_force):
    return in_force.get(bin_id) or in_force[None]


def opening_fields(bin_id, at, in_force):
    """What a batch opening at `at` takes from its policy (ReviewBatch fields)."""
    policy = policy_for(bin_id, in_force)
    return {"policy": policy, "window_closes_at": at + timedelta(days=policy.window_days)}


def windows_closed(batches, at):
    """The batches of `batches` whose window has closed by `at`: old enough, or holding as many cases in
    review as their policy allows. A batch all of whose cases left it (withdrawn) stays open for
    newcomers rather than enter a review with nothing in it."""
    return batches.filter(
        Q(open_size__gt=0) & (Q(window_closes_at__lte=at) | Q(open_size__gte=F("policy__window_cases"))))


def window_closed(batch_id, at):
    """The same test for one batch."""
    return windows_closed(ReviewBatch.objects.filter(pk=batch_id), at).exists()


@dataclass(frozen=True)
class Why:
    """Which policy a batch follows, and the reason in words."""

    policy: ReviewPolicy
    reason: str


def why(batch):
    """The batch's policy and why it applies; None for a batch opened before policies existed."""
    policy = batch.policy
    if policy is None:
        return None
    if not policy.standard:
        reason = (f"Its cases are of the bin {policy.bin.name}, which has a policy of its own "
                  f"from {policy.effective_from}.")
    elif batch.bin_id:
        reason = (f"The bin {batch.bin.name} had no policy of its own when the batch opened, "
                  "so the standard policy applies.")
    else:
        reason = (f"Its purchasers are in no bin (grouped by the region {batch.region.name}), "
                  "so the standard policy applies.")
    return Why(policy, reason)


@dataclass(frozen=True)
class Summary:
    """What the batch page says of the policy a batch follows."""

    why: Why
    window: str
    decision: str
    concurrence: str
    releases: list  # the names of the capabilities the bin's standing releases cover, on the day that counts
    covered: bool  # this batch's capability is among them
    covered_cases: int


def summary(batch, size):
    """The policy of `batch` (holding `size` cases in review) in words; None before policies existed."""
    reason = why(batch)
    if reason is None:
        return None
    rule = reason.policy
    started = batch.review_started_at
    on = timezone.localdate(started or timezone.now())
    if started:
        window = (f"Took newcomers for up to {rule.window_days} days or {rule.window_cases} cases; "
                  f"its review started {when(started)}.")
    else:
        window = (f"Takes newcomers until {when(batch.window_closes_at)} or until it holds {rule.window_cases} cases "
                  f"(it holds {size}); then it enters review and its offices are asked.")
    if batch.decision_due_on:
        decision = f"Due {batch.decision_due_on:%Y-%m-%d}, {rule.decision_days} days after its review started."
    elif rule.decision_days:
        decision = f"Due {rule.decision_days} days after its review starts."
    else:
        decision = f"Due {timer_days(Timer.DECISION, on)} days after each case entered review (the decision timer)."
    days = rule.concurrence_days or timer_days(Timer.CONCURRENCE, on)
    concurrence = f"Each office answers within {days} days" + (
        "." if rule.concurrence_days else " (the concurrence timer).")
    releases = releases_of(batch.bin_id, on) if batch.bin_id else []
    covered = any(row.capability_id == batch.capability_id for row in releases)
    covered_cases = batch.cases.filter(tsfd_release__isnull=False).count() if covered else 0
    return Summary(reason, window, decision, concurrence, [row.capability.name for row in releases], covered,
                   covered_cases)


def releases_in_force(on, bin_id=None):
    """{(bin id, capability slug): the StandingRelease in force on `on`} (of one bin, if given), revoked
    ones left out."""
    rows = StandingRelease.objects.filter(effective_from__lte=on).select_related("capability")
    if bin_id is not None:
        rows = rows.filter(bin_id=bin_id)
    latest = {}
    for row in rows.order_by("effective_from", "id"):
        latest[(row.bin_id, row.capability_id)] = row
    return {key: row for key, row in latest.items() if row.covered}


def releases_of(bin_id, on):
    """The standing releases of a bin in force on `on`, by capability name."""
    rows = [row for (bin_, _), row in releases_in_force(on, bin_id=bin_id).items()]
    return sorted(rows, key=lambda row: row.capability.name)


def start_reviews(batch_ids, *, at, actor=None):
    """What a batch's policy does as its review starts, for every batch of `batch_ids` at once: the
    decision falls due, and each case needing a TSFD review that a standing release of the bin covers
    (its purchaser a member of that bin) has its release recorded, on the case and in its trail.
    Set-based: a fixed number of statements for any number of batches."""
    on = timezone.localdate(at)
    batches = list(ReviewBatch.objects.filter(pk__in=batch_ids).values_list("pk", "bin_id", "capability_id",
                                                                           "policy__decision_days"))
    for days in {days for *_, days in batches if days}:
        ReviewBatch.objects.filter(pk__in=[pk for pk, *_, each in batches if each == days]).update(
            decision_due_on=on + timedelta(days=days))
    releases = releases_in_force(on)
    covered = {pk: (bin_id, releases[(bin_id, capability)]) for pk, bin_id, capability, _ in batches
               if (bin_id, capability) in releases}
    if not covered:
        return
    groups = groups_by_country()
    cases = [(pk, batch) for pk, country, batch in Case.objects.filter(
                 review_batch__in=list(covered), stage=Stage.IN_REVIEW, tsfd_required=True,
                 tsfd_approved_at__isnull=True).values_list("pk", "country_id", "review_batch_id")
             # A participant of a joint request led from the bin is covered only if a member itself.
             if groups[country].bin and groups[country].bin.pk == covered[batch][0]]
    by_release = {}
    for pk, batch in cases:
        by_release.setdefault(covered[batch][1], []).append((pk, batch))
    bulk.update_pairs(Case, "tsfd_release_id", [(pk, release.pk) for release, members in by_release.items()
                                                for pk, _ in members], tsfd_approved_at=at)
    bulk.insert_events([(pk, {"batch": batch, "standing_release": release.decision})
                        for release, members in by_release.items() for pk, batch in members],
                       verb=Verb.TSFD_APPROVED, at=at, stage=Stage.IN_REVIEW, actor=actor)
