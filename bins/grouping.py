"""Which group reviews a country: its best-priority bin, or failing any bin, its region.

This is the one answer batching, the API and the dashboard use. Bins are few (tens), so membership
is evaluated in Python over the process's copy of the bins (fms_review.reference) rather than encoded in
SQL per rule.
"""
from dataclasses import dataclass
from functools import cached_property

from fms_review import reference

from .models import Bin, Country


@dataclass(frozen=True)
class ReviewGroup:
    """A bin, or a region when the country is in no bin. `key` is stable: "bin:<slug>" or "region:<code>"."""

    bin: Bin | None
    region_code: str

    @cached_property  # asked once per case when a run batches 100,000
    def key(self):
        return f"bin:{self.bin.slug}" if self.bin else f"region:{self.region_code}"

    @property
    def label(self):
        return self.bin.name if self.bin else self.region_code


def bins_by_priority():
    return reference.rows(Bin)  # ordered by priority, then slug


def members_of(bin_, countries):
    """The countries of `countries` that `bin_` admits."""
    return [country for country in countries if bin_.admits(country)]


def group_for(country):
    """The review group of one country."""
    for candidate in bins_by_priority():
        if candidate.admits(country):
            return ReviewGroup(bin=candidate, region_code=country.region_id)
    return ReviewGroup(bin=None, region_code=country.region_id)


def groups_by_country():
    """Every country's review group, keyed by ISO code, from the process's copy of the reference tables."""
    return reference.held("groups by country", lambda: {
        country.iso2: group_for(country) for country in reference.rows(Country)})
