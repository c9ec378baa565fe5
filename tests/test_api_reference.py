"""Reference data endpoints: every row in one response, with the contract's fields."""
import pytest

pytestmark = pytest.mark.django_db


def test_countries(api, liaison_pl, django_assert_max_num_queries):
    client = api(liaison_pl)
    with django_assert_max_num_queries(3):  # token+user, profile, countries
        body = client.get("/api/v1/countries/").json()
    assert len(body) == 58
    poland = next(row for row in body if row["iso2"] == "PL")
    assert {k: poland[k] for k in ("name", "region", "nato_member", "rdp_mou", "cn_tier")} == {
        "name": "Poland", "region": "EUCOM", "nato_member": True, "rdp_mou": True, "cn_tier": "NATO_PLUS"
    }


def test_bins_list_their_countries(api, reviewer, django_assert_max_num_queries):
    client = api(reviewer)
    with django_assert_max_num_queries(5):  # token+user, profile, bins, listed members, countries
        body = client.get("/api/v1/bins/").json()
    bins = {row["slug"]: row for row in body}
    assert list(bins) == ["nato-rdp-mou", "nordic-baltic", "eastern-flank", "indo-pacific-allies", "five-eyes"]
    assert len(bins["nato-rdp-mou"]["countries"]) == 22
    assert set(bins["nordic-baltic"]["countries"]) == {"DK", "EE", "FI", "IS", "LV", "LT", "NO", "SE"}
    assert bins["nato-rdp-mou"]["rule"] == "nato_member AND rdp_mou"


def test_capabilities(api, nspa_user):
    body = api(nspa_user).get("/api/v1/capabilities/").json()
    assert len(body) == 14
    assert {"slug": "anti-armor", "name": "Anti-armor"}.items() <= next(
        row for row in body if row["slug"] == "anti-armor").items()
