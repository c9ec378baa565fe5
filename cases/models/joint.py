import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JointRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ..reads.access import visible_joint_requests

        return visible_joint_requests(self, user)


class JointRequest(models.Model):
    """A request NSPA files for several member nations at once; it yields one case per nation."""

    class Model(models.TextChoices):
        LEAD_NATION = "lead_nation", "Lead nation"
        AGENT_SALES = "agent_sales", "Agent sales"

    # The joint request's public name (URLs, the API): its id would tell a liaison how many NSPA has filed.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    model = models.CharField(max_length=12, choices=Model)
    lead_nation = models.ForeignKey(
        "bins.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    justification = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = JointRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(model="agent_sales") | Q(lead_nation__isnull=False),
                name="joint_request_lead_nation_named",
            ),
        ]

    def __str__(self):
        return self.title


class RetransferAssurance(models.Model):
    """A participant's assurance, in the lead-nation model, that what the lead nation buys for it is
    not retransferred without US consent (DOMAIN.md section 5). NSPA records it; until it is on file the
    participant's case cannot be accepted, so nothing is transferred to a nation without it."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="assurance")
    given_on = models.DateField(help_text="The day the participant gave the assurance.")
    reference = models.CharField(max_length=120, help_text="The assurance's document reference.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Retransfer assurance for case {self.case_id}"
