"""Who the purchasers are and how they group for combined review."""
from django.core.validators import RegexValidator
from django.db import models

from fms_review.reference import ReferenceQuerySet


class CnTier(models.TextChoices):
    """Congressional-notification tier of a purchaser (AECA 36(b)); not the same thing as RDP status."""

    NATO_PLUS = "NATO_PLUS", "NATO, Japan, Australia, Korea, Israel, New Zealand"
    STANDARD = "STANDARD", "Standard"


class PurchaserType(models.TextChoices):
    COUNTRY = "country", "Country"
    ORGANIZATION = "organization", "NATO organisation"


class Region(models.Model):
    """A US geographic combatant command; countries outside every bin are grouped by it."""

    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=80)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Country(models.Model):
    """An eligible FMS purchaser. The ISO code and the DSCA customer code are kept apart on purpose."""

    iso2 = models.CharField(
        "ISO alpha-2", max_length=2, primary_key=True, validators=[RegexValidator(r"^[A-Z]{2}$")]
    )
    name = models.CharField(max_length=80, unique=True)
    customer_code = models.CharField(
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2}$")],
        help_text="DSCA customer code used in case numbers; the ISO code when unknown.",
    )
    purchaser_type = models.CharField(max_length=12, choices=PurchaserType, default=PurchaserType.COUNTRY)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="countries")
    nato_member = models.BooleanField(default=False)
    nato_joined = models.PositiveSmallIntegerField(null=True, blank=True)
    nato_partner = models.BooleanField(
        "NATO partner",
        default=False,
        help_text="In a NATO partnership (PfP, Mediterranean Dialogue, ICI, partners across the globe).",
    )
    rdp_mou = models.BooleanField("RDP MOU", default=False)
    cn_tier = models.CharField("CN tier", max_length=10, choices=CnTier, default=CnTier.STANDARD)
    fms_eligible = models.BooleanField(
        "FMS eligible", default=True, help_text="Off for a purchaser under sanctions or otherwise ineligible."
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nato_member=True) | models.Q(nato_joined__isnull=True),
                name="country_nato_year_only_for_members",
            ),
        ]

    def save(self, *args, **kwargs):
        if not self.customer_code:
            self.customer_code = self.iso2
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.name} ({self.iso2})"


class Capability(models.Model):
    """The kind of capability a request asks for; cases asking for the same one are reviewed together."""

    slug = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=80, unique=True)
    example_systems = models.CharField(max_length=300, blank=True)
    usually_mde = models.BooleanField("usually major defense equipment", default=False)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"

    def __str__(self):
        return self.name

    @property
    def examples(self):
        return [part.strip() for part in self.example_systems.split(";") if part.strip()]


class Bin(models.Model):
    """A named group of countries reviewed together.

    Members are either a rule (every criterion that is set must hold: AND) or an explicit list.
    A country may sit in several bins; the lowest priority number wins (see bins.grouping).
    """

    class Membership(models.TextChoices):
        RULE = "rule", "By rule"
        LIST = "list", "By list"

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    priority = models.PositiveSmallIntegerField(help_text="Lower wins when a country is in several bins.")
    membership = models.CharField(max_length=4, choices=Membership, default=Membership.LIST)
    rule_nato_member = models.BooleanField("rule: NATO member", default=False)
    rule_rdp_mou = models.BooleanField("rule: RDP MOU", default=False)
    rule_cn_tier = models.CharField("rule: CN tier", max_length=10, choices=CnTier, blank=True)
    rule_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="rule: region"
    )
    listed_countries = models.ManyToManyField(Country, blank=True, related_name="listed_in_bins")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["priority"], name="bin_priority_unique"),
        ]

    def __str__(self):
        return self.name

    def admits(self, country):
        """Whether `country` is a member. List bins need `listed_countries` prefetched to stay query-free."""
        if self.membership == self.Membership.LIST:
            return any(member.pk == country.pk for member in self.listed_countries.all())
        return (
            (not self.rule_nato_member or country.nato_member)
            and (not self.rule_rdp_mou or country.rdp_mou)
            and (not self.rule_cn_tier or country.cn_tier == self.rule_cn_tier)
            and (self.rule_region_id is None or country.region_id == self.rule_region_id)
        )

    @property
    def rule_text(self):
        if self.membership == self.Membership.LIST:
            return "list"
        parts = []
        if self.rule_nato_member:
            parts.append("nato_member")
        if self.rule_rdp_mou:
            parts.append("rdp_mou")
        if self.rule_cn_tier:
            parts.append(f"cn_tier={self.rule_cn_tier}")
        if self.rule_region_id:
            parts.append(f"region={self.rule_region_id}")
        return " AND ".join(parts) or "every country"
