from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    REVIEWER = "reviewer", "US reviewer"
    LIAISON = "liaison", "Allied liaison"
    NSPA = "nspa", "NSPA staff"
    ADMIN = "admin", "Administrator"


# The role sets the rest of the code names: named here once.
REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})  # US staff: they see every case and every batch
EVERY_ROLE = frozenset(Role)


def role_of(user):
    """The user's role, or None for the anonymous, the inactive and users without a profile."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None:
        return Role(profile.role)
    return Role.ADMIN if user.is_superuser else None


class Profile(models.Model):
    """A user's role; a liaison belongs to exactly one country, nobody else belongs to any."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=10, choices=Role)
    country = models.ForeignKey(
        "bins.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="liaisons"
    )
    office = models.ForeignKey("cases.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
                               help_text="For US staff: the office they answer for in concurrence.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="liaison") & Q(country__isnull=False)) | (~Q(role="liaison") & Q(country__isnull=True)),
                name="profile_country_iff_liaison",
            ),
            models.CheckConstraint(condition=Q(office__isnull=True) | Q(role__in=["reviewer", "admin"]),
                                   name="profile_office_only_us_staff"),
        ]

    def __str__(self):
        suffix = f" ({self.country_id})" if self.country_id else ""
        return f"{self.user} - {self.get_role_display()}{suffix}"
