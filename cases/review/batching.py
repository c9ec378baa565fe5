"""Combined review: actionable cases join review batches by group (bin, or region outside every bin)
and capability.

The rule: every `lor_actionable` case not yet in a batch joins the open batch of its key, or a new
one; the cases of one joint request always land together (under the key of the lead nation, or of
the first participant for agent sales); a batch holds at most REVIEW_BATCH_SIZE cases and at most its
policy's window (cases.review.policy), overflow opens another; a batch whose review has started takes no
newcomers. Joining moves the case to `in_review`.
"""
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from bins.grouping import groups_by_country

from ..models import BatchStatus, Case, JointRequest, ReviewBatch
from ..process import bulk, workflow
from ..process.stages import Action, BatchAction, Stage
from . import policy

# Warning: every process that batches must use the same key, or two runs could interleave.
ADVISORY_LOCK_KEY = 0x464D5342  # "FMSB"


@dataclass(frozen=True)
class BatchingResult:
    cases_batched: int
    batches_created: int
    batches_joined: int

    def __str__(self):
        created = counted(self.batches_created, "new batch", "new batches")
        joined = counted(self.batches_joined, "open batch", "open batches")
        return f"{counted(self.cases_batched, 'case')} batched ({created}, {joined} joined)"


def counted(number, noun, plural=None):
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


@dataclass
class Unit:
    """Cases that must share a batch: one case, or every case of a joint request."""

    group: object  # bins.grouping.ReviewGroup
    capability: str
    case_ids: list

    def __post_init__(self):
        self.slot = (self.group.key, self.capability)


def build_batches(*, case_ids=None, at=None, max_size=None):
    """Put every actionable case not in a batch into one (or only those of `case_ids`); returns counts.

    Safe to run twice at once: on PostgreSQL the run holds a transaction-level advisory lock, so a
    second run waits and then finds nothing left to do. Running again with nothing new changes
    nothing. The statements issued do not depend on the number of cases.
    """
    at = at or timezone.now()
    max_size = max_size or settings.REVIEW_BATCH_SIZE
    with transaction.atomic():
        hold_batching_lock()
        waiting = Case.objects.filter(stage=Stage.LOR_ACTIONABLE, review_batch__isnull=True)
        if case_ids is not None:
            waiting = waiting.filter(pk__in=bulk.id_set(case_ids))
        rows = list(
            waiting.order_by("created_at", "id").values_list("id", "country_id", "primary_capability_id", "joint_request_id")
        )
        if not rows:
            return BatchingResult(0, 0, 0)
        units = plan_units(rows, groups_by_country())
        pairs, created, joined = assign(units, max_size, at)
        moved = workflow.move_many(pairs, Action.START_REVIEW, at=at, payload_key="batch", assign="review_batch")
        count_joined(moved)
    return BatchingResult(len(moved), created, joined)


def close_windows(*, at=None):
    """Start the review of every open batch whose policy's window has closed (old or large enough);
    returns their ids. Holds the batching lock, so no case joins a batch whose offices are being asked."""
    with transaction.atomic():
        hold_batching_lock()
        return workflow.perform_batches_due(BatchAction.CLOSE_WINDOW, at=at or timezone.now())


def hold_batching_lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def plan_units(rows, groups):
    """Group rows (id, country, capability, joint request) into units with their review group."""
    units, joint_units = [], {}
    joint_ids = {row[3] for row in rows if row[3]}
    leads = dict(JointRequest.objects.filter(pk__in=joint_ids).values_list("pk", "lead_nation_id")) if joint_ids else {}
    for case_id, country, capability, joint in rows:
        if joint is None:
            units.append(Unit(groups[country], capability, [case_id]))
        elif joint in joint_units:
            joint_units[joint].case_ids.append(case_id)
        else:
            joint_units[joint] = unit = Unit(groups[leads.get(joint) or country], capability, [case_id])
            units.append(unit)
    return units


def assign(units, max_size, at):
    """Fill open batches, then new ones; returns ((case id, batch id) pairs, batches created, batches joined)."""
    current = {}  # (key, capability) -> [batch, room left]
    in_force = policy.policies_in_force(timezone.localdate(at))
    # Only batches with room: their count is kept on the row, so this reads a few batch rows, however
    # many cases the open batches hold.
    open_batches = (
        ReviewBatch.objects.select_related("policy").filter(
            status=BatchStatus.OPEN,
            group_key__in={unit.group.key for unit in units},
            capability__in={unit.capability for unit in units},
            open_size__lt=Least(Coalesce("policy__window_cases", max_size), max_size),
        )
        .order_by("created_at", "id")
    )
    for batch in open_batches:
        current[(batch.group_key, batch.capability_id)] = [batch, capacity(batch.policy, max_size) - batch.open_size]
    fresh, members, joined = [], [], set()
    for unit in units:
        slot = current.get(unit.slot)
        if slot is None or slot[1] < len(unit.case_ids):
            batch = new_batch(unit, at, in_force)
            slot = current[unit.slot] = [batch, capacity(batch.policy, max_size)]
            fresh.append(batch)
        elif slot[0].pk:
            joined.add(slot[0].pk)
        slot[1] -= len(unit.case_ids)
        members.append((slot[0], unit.case_ids))
    ReviewBatch.objects.bulk_create(fresh)
    pairs = [(case_id, batch_id) for batch_id, case_ids in ((batch.pk, ids) for batch, ids in members)
             for case_id in case_ids]
    return pairs, len(fresh), len(joined)


def count_joined(moved):
    """Add what the cases moved in add to the batches they joined (open_size, member_count,
    member_value_usd, member_since), in one UPDATE from those cases alone: not a recount of every
    member, so a run costs what its newcomers do however full the batches are."""
    if not moved:
        return
    cases, batches, ids = Case._meta.db_table, ReviewBatch._meta.db_table, bulk.id_set(moved)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {batches} SET open_size = open_size + v.n, member_count = member_count + v.n, "
            "member_value_usd = member_value_usd + v.value, member_since = CASE WHEN member_since IS NULL "
            "OR v.since < member_since THEN v.since ELSE member_since END "
            "FROM (SELECT review_batch_id AS a, COUNT(*) AS n, SUM(total_value_usd) AS value, MIN(created_at) AS since "
            f"FROM {cases} WHERE id IN ({ids.sql}) GROUP BY review_batch_id) AS v WHERE {batches}.id = v.a",
            ids.params,
        )


def capacity(batch_policy, max_size):
    """How many cases a batch takes: the policy's window, within the deployment's batch size. A batch
    opened before policies existed takes the batch size."""
    return min(max_size, batch_policy.window_cases) if batch_policy else max_size


def new_batch(unit, at, in_force):
    group = unit.group
    bin_id = group.bin.pk if group.bin else None
    return ReviewBatch(
        group_key=group.key, capability_id=unit.capability, created_at=at,
        bin_id=bin_id, region_id=None if group.bin else group.region_code,
        **policy.opening_fields(bin_id, at, in_force),
    )
