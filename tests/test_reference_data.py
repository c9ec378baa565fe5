"""Reference data from the shipped CSVs, and which group reviews each country."""
import pytest
from django.apps import apps

from bins.grouping import group_for, groups_by_country
from bins.models import Bin, Capability, Country, Region
from bins.reference_data import load_reference_data

pytestmark = pytest.mark.django_db


def test_reference_data_is_loaded_by_migration():
    assert Country.objects.count() == 58
    assert Capability.objects.count() == 14
    assert Bin.objects.count() == 5
    assert set(Region.objects.values_list("code", flat=True)) == {
        "AFRICOM", "CENTCOM", "EUCOM", "INDOPACOM", "NORTHCOM", "SOUTHCOM"
    }
    poland = Country.objects.get(pk="PL")
    assert (poland.customer_code, poland.nato_member, poland.nato_joined, poland.rdp_mou, poland.cn_tier) == (
        "PL", True, 1999, True, "NATO_PLUS"
    )
    assert Country.objects.get(pk="IL").region_id == "CENTCOM"


def test_nato_membership_rdp_and_tier_are_separate_facts():
    assert Country.objects.filter(nato_member=True).count() == 31  # NATO's 32 less the United States
    assert Country.objects.filter(rdp_mou=True).count() == 28
    assert Country.objects.filter(nato_member=True, rdp_mou=True).count() == 22
    assert Country.objects.get(pk="JP").cn_tier == "NATO_PLUS" and not Country.objects.get(pk="JP").nato_member


def test_loading_again_changes_nothing():
    before = (Country.objects.count(), Bin.objects.count(), list(Bin.objects.values_list("slug", "priority")))
    load_reference_data(apps)
    assert before == (Country.objects.count(), Bin.objects.count(), list(Bin.objects.values_list("slug", "priority")))


@pytest.mark.parametrize(
    "iso2,key",
    [
        ("PL", "bin:nato-rdp-mou"),  # also on the eastern flank (30); the RDP bin (10) wins
        ("EE", "bin:nato-rdp-mou"),  # in three bins
        ("IS", "bin:nordic-baltic"),  # NATO but no RDP MOU
        ("BG", "bin:eastern-flank"),
        ("AU", "bin:indo-pacific-allies"),  # also Five Eyes (50)
        ("GB", "bin:nato-rdp-mou"),
        ("AT", "region:EUCOM"),  # RDP MOU but not NATO: in no bin
        ("IL", "region:CENTCOM"),
        ("BR", "region:SOUTHCOM"),
    ],
)
def test_review_group(iso2, key):
    assert group_for(Country.objects.get(pk=iso2)).key == key
    assert groups_by_country()[iso2].key == key


def test_best_priority_wins_when_priorities_change():
    Bin.objects.filter(slug="nato-rdp-mou").update(priority=90)
    assert group_for(Country.objects.get(pk="PL")).key == "bin:eastern-flank"


def test_rule_bins_follow_the_countries():
    Country.objects.filter(pk="AT").update(nato_member=True, nato_joined=2027)
    assert group_for(Country.objects.get(pk="AT")).key == "bin:nato-rdp-mou"


def test_grouping_every_country_takes_two_queries(django_assert_num_queries):
    with django_assert_num_queries(3):  # bins, their listed members, countries
        groups = groups_by_country()
    assert len(groups) == 58
