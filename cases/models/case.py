from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from fms_review.reference import ReferenceQuerySet

from ..process.stages import Stage

# The case identifier: purchaser, implementing agency, designator. It is the case's only public name (URLs,
# the API): the designator counts the purchaser's own cases, so it tells no one about another country's.
CASE_NUMBER = r"[A-Z0-9]{2}-[A-Z]-[A-Z0-9]{3}"
CASE_NUMBER_PATTERN = rf"^{CASE_NUMBER}$"
MONEY = {"max_digits": 16, "decimal_places": 2}
WAITING_FOR_REVIEWER = "In a combined review batch, waiting for a reviewer"


class ImplementingAgency(models.Model):
    """The US agency that writes and manages the LOA: B Army, D Air Force, P Navy, F DCMA, others by admin."""

    code = models.CharField(max_length=1, primary_key=True, validators=[RegexValidator(r"^[A-Z]$")])
    name = models.CharField(max_length=80)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "implementing agencies"

    def __str__(self):
        return f"{self.code} {self.name}"


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases `user` may see (cases.reads.access): the only way a request reaches cases."""
        from ..reads.access import visible_cases

        return visible_cases(self, user)


class Case(models.Model):
    """One purchaser's FMS case, from Letter of Request to closure.

    `stage` and `stage_entered_at` change only through cases.process.workflow; totals only through
    cases.process.totals, which derives them from the line items.
    """

    # Indexes are named in Meta only: every one is rewritten when batching moves 100,000 cases, so the
    # single-column and pattern (LIKE) indexes Django would add for these fields are left out.
    case_number = models.CharField(max_length=8, validators=[RegexValidator(CASE_NUMBER_PATTERN)], editable=False)
    country = models.ForeignKey("bins.Country", on_delete=models.PROTECT, related_name="cases", db_index=False)
    implementing_agency = models.ForeignKey(
        ImplementingAgency, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    designator = models.CharField(max_length=3, editable=False)
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=20, choices=Stage, default=Stage.LOR_RECEIVED, editable=False)
    stage_entered_at = models.DateTimeField(default=timezone.now, editable=False)
    primary_capability = models.ForeignKey(
        "bins.Capability", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    total_value_usd = models.DecimalField(default=Decimal("0"), editable=False, **MONEY)
    mde_value_usd = models.DecimalField("MDE value (USD)", default=Decimal("0"), editable=False, **MONEY)
    design_construction_value_usd = models.DecimalField(
        "design and construction value (USD)", default=Decimal("0"), editable=False, **MONEY
    )
    joint_request = models.ForeignKey(
        "cases.JointRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="cases", db_index=False
    )
    review_batch = models.ForeignKey(
        "cases.ReviewBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="cases", editable=False,
        db_index=False,
    )
    stalled_since = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set by the stall timer when a due date passed; cleared on any move."
    )
    stalled_reason = models.CharField(max_length=20, blank=True, editable=False)
    tsfd_required = models.BooleanField(
        "TSFD review required", default=False, help_text="A technology-release review must approve before offer."
    )
    tsfd_approved_at = models.DateTimeField("TSFD approved at", null=True, blank=True, editable=False)
    # Set with tsfd_approved_at when a standing release of the batch's bin covered the case on entering
    # review: no new TSFD review, and no DTSA concurrence, was needed.
    tsfd_release = models.ForeignKey("cases.StandingRelease", on_delete=models.PROTECT, null=True, blank=True,
                                     editable=False, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case_number"], name="case_number_unique"),
            models.UniqueConstraint(
                fields=["country", "implementing_agency", "designator"], name="case_designator_unique"
            ),
            models.CheckConstraint(condition=Q(case_number__regex=CASE_NUMBER_PATTERN), name="case_number_format"),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="case_stage_known"),
            models.CheckConstraint(condition=Q(total_value_usd__gte=0), name="case_total_not_negative"),
            models.CheckConstraint(
                condition=Q(mde_value_usd__gte=0, mde_value_usd__lte=F("total_value_usd")),
                name="case_mde_within_total",
            ),
            models.CheckConstraint(
                condition=Q(
                    design_construction_value_usd__gte=0,
                    design_construction_value_usd__lte=F("total_value_usd"),
                ),
                name="case_design_construction_within_total",
            ),
            models.CheckConstraint(
                condition=Q(tsfd_approved_at__isnull=True) | Q(tsfd_required=True),
                name="case_tsfd_approval_needs_review",
            ),
        ]
        indexes = [
            # The clock's and the counts' cases by stage (and a purchaser's). A capability's cases by stage
            # are read through case_capability_newest_idx: one index fewer for batching to rewrite.
            models.Index(fields=["stage", "country"], name="case_stage_country_idx"),
            # The case lists' order (newest first), for everyone, within one country, of one capability.
            models.Index(fields=["-created_at", "-id"], name="case_newest_idx"),
            models.Index(fields=["country", "-created_at", "-id"], name="case_country_newest_idx"),
            models.Index(fields=["primary_capability", "-created_at", "-id"], name="case_capability_newest_idx"),
            # Sorted by value: with the key as the tie-break, a cursor's next page is one range of this index.
            models.Index(fields=["total_value_usd", "id"], name="case_total_key_idx"),
            # Most cases are no joint request's: only those that are are indexed (NSPA's list, the filter).
            models.Index(
                fields=["joint_request"], condition=Q(joint_request__isnull=False), name="case_joint_request_idx"
            ),
            models.Index(
                fields=["created_at", "id"], condition=Q(stage="lor_actionable", review_batch__isnull=True),
                name="case_awaiting_batch_idx",
            ),
            # A batch's cases, holding what the queue adds up per batch (batch_facts.case_facts): the sums
            # over a page of batches read this index alone instead of thousands of scattered table pages.
            models.Index(
                fields=["review_batch", "country"], condition=Q(review_batch__isnull=False),
                name="case_batch_facts_idx",
                include=["total_value_usd", "mde_value_usd", "design_construction_value_usd", "created_at",
                         "stalled_since"],
            ),
            # The queue's "stalled only": a few stalled cases, found by batch without reading the others.
            models.Index(fields=["review_batch"], condition=Q(stalled_since__isnull=False), name="case_stalled_batch_idx"),
        ]

    def __str__(self):
        return f"{self.case_number} {self.title}"

    @property
    def tsfd_pending(self):
        return self.tsfd_required and self.tsfd_approved_at is None

    @property
    def stage_label(self):
        """The stage as people say it: a case in a batch nobody has taken yet waits, it is not under review.
        Reads `review_batch`: select it with the case."""
        from .batch import BatchStatus

        if self.stage == Stage.IN_REVIEW and self.review_batch and self.review_batch.status == BatchStatus.OPEN:
            return WAITING_FOR_REVIEWER
        return self.get_stage_display()


class CaseSearch(models.Model):
    """What case search matches and ranks on PostgreSQL (cases.reads.search keeps it current); no rows
    on SQLite, where the search reads the fields themselves.

    A table of its own rather than a column of the case: batching moves 100,000 cases at once, and every
    case row it rewrote put its vector's words into the GIN index again (half the time of that UPDATE).
    The vector changes only when what is searched does."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="search")
    vector = SearchVectorField()

    class Meta:
        verbose_name_plural = "case search vectors"
        indexes = [GinIndex(fields=["vector"], name="case_search_idx")]

    def __str__(self):
        return f"Search vector of case {self.case_id}"


class LineItem(models.Model):
    """One priced line of an LOR. Quantity and cost rules are enforced by the database as well."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="line_items")
    description = models.CharField(max_length=200)
    capability = models.ForeignKey("bins.Capability", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_cost_usd = models.DecimalField(
        "unit cost (USD)", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    is_mde = models.BooleanField("major defense equipment", default=False)
    is_design_construction = models.BooleanField("design and construction", default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost_usd__gte=0), name="line_item_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.description}"

    @property
    def total_usd(self):
        return self.quantity * self.unit_cost_usd


class DesignatorSequence(models.Model):
    """The last case designator issued per purchaser and implementing agency (see cases.process.numbering)."""

    country = models.ForeignKey("bins.Country", on_delete=models.CASCADE, related_name="+")
    implementing_agency = models.ForeignKey(ImplementingAgency, on_delete=models.CASCADE, related_name="+")
    last_issued = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "implementing_agency"], name="designator_sequence_unique"),
        ]
