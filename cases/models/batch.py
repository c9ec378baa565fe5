from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


class BatchStatus(models.TextChoices):
    OPEN = "open", "Open (taking newcomers)"
    IN_REVIEW = "in_review", "In review (membership frozen)"
    DECIDED = "decided", "Decided"


class ReviewBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Batches are the reviewers' work: nobody else sees one (cases.reads.access)."""
        from ..reads.access import visible_batches

        return visible_batches(self, user)

    def recount_members(self):
        """Set these batches' member_* columns from their cases, in one UPDATE whose subqueries read only
        each batch's own entries of the covering index (a batch holds at most REVIEW_BATCH_SIZE).

        Safe under concurrent runs: cases join only open batches, under the batching lock, and leave
        only batches in review, under the batch's row lock, so no two transactions change one batch's
        members at once."""
        from ..reads.queries import per_batch

        return self.update(
            member_count=Coalesce(per_batch(Count("*")), Value(0)),
            member_value_usd=Coalesce(per_batch(Sum("total_value_usd")), Value(Decimal("0"))),
            member_since=per_batch(Min("created_at")),
        )


class ReviewBatch(models.Model):
    """Actionable cases of one group (a bin, or a region outside every bin) asking for one capability,
    reviewed together. Cases join through cases.review.batching only; a case is in at most one batch
    (Case.review_batch is a single foreign key)."""

    group_key = models.CharField(max_length=60, help_text='"bin:<slug>" or "region:<code>".')
    bin = models.ForeignKey("bins.Bin", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    region = models.ForeignKey("bins.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    capability = models.ForeignKey("bins.Capability", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=BatchStatus, default=BatchStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # One reasoned note for the whole batch, written once by its holder; shown to reviewers on each case
    # (it weighs the purchasers against each other, so it is never a liaison's to read).
    memo = models.TextField(max_length=5000, blank=True)
    memo_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    memo_at = models.DateTimeField(null=True, blank=True)
    # The bin's policy in force when the batch opened (cases.review.policy), and what it set: when the
    # window closes by age, and when the decision is due once review starts (empty: the decision timer).
    policy = models.ForeignKey("cases.ReviewPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    window_closes_at = models.DateTimeField(null=True, blank=True)
    decision_due_on = models.DateField(null=True, blank=True)
    # While the batch is open, how many of its cases are in review: batching adds those it moves in, and
    # perform takes off a case that leaves review (withdrawn, returned). Batching and the window's clock
    # read it here instead of counting every open batch's cases over the case table. Not kept once the
    # window has closed: membership is frozen then.
    open_size = models.PositiveIntegerField(default=0, editable=False)
    # What the batch's cases add up to, kept on the row so the queue sorts by them with an ORDER BY on
    # the batch table instead of a subquery per batch over the cases, by the only two paths that change
    # membership: batching adds what the cases it moves in add (batching.count_joined), and perform
    # recounts a batch a case leaves (return for information: recount_members). Tests compare them with
    # the cases after every such path.
    member_count = models.PositiveIntegerField(default=0, editable=False)
    member_value_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0, editable=False)
    member_since = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReviewBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(bin__isnull=False) & Q(region__isnull=True)) | (Q(bin__isnull=True) & Q(region__isnull=False)),
                name="batch_keyed_by_bin_or_region",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(review_started_at__isnull=False), name="batch_started_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | Q(decided_at__isnull=False), name="batch_decided_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "group_key", "capability"], name="batch_status_key_idx"),
            models.Index(fields=["-created_at", "-id"], name="batch_newest_idx"),  # the queue's order
            # The queue's other orders (cases.web.reviewer.QueueOrdering): a page is the first rows of one.
            models.Index(fields=["member_since", "id"], name="batch_member_since_idx"),
            models.Index(fields=["member_value_usd", "id"], name="batch_member_value_idx"),
            models.Index(fields=["member_count", "id"], name="batch_member_count_idx"),
            models.Index(fields=["window_closes_at"], condition=Q(status="open"), name="batch_window_idx"),
        ]

    def __str__(self):
        return f"Batch {self.pk}: {self.group_key} / {self.capability_id} ({self.status})"
