"""Loads the reference CSVs shipped in bins/reference/ into the database.

Called by a data migration, so every database has the purchasers, bins and capabilities; rerunning
updates rows in place. Takes the migration's `apps` so it works on historical models.
"""
import csv
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

REGION_NAMES = {
    "AFRICOM": "US Africa Command",
    "CENTCOM": "US Central Command",
    "EUCOM": "US European Command",
    "INDOPACOM": "US Indo-Pacific Command",
    "NORTHCOM": "US Northern Command",
    "SOUTHCOM": "US Southern Command",
}

# Words a bins.csv rule may use, joined by AND.
RULE_FLAGS = {"nato_member": "rule_nato_member", "rdp_mou": "rule_rdp_mou"}


def read_rows(name):
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def as_bool(text):
    return text.strip().lower() == "true"


def load_reference_data(apps, schema_editor=None):
    Region = apps.get_model("bins", "Region")
    Country = apps.get_model("bins", "Country")
    Capability = apps.get_model("bins", "Capability")
    Bin = apps.get_model("bins", "Bin")

    for code, name in REGION_NAMES.items():
        Region.objects.update_or_create(code=code, defaults={"name": name})

    for row in read_rows("countries.csv"):
        Country.objects.update_or_create(
            iso2=row["iso2"],
            defaults={
                "name": row["name"],
                "customer_code": row["iso2"],
                "purchaser_type": row["purchaser_type"],
                "region_id": row["ccmd"],
                "nato_member": as_bool(row["nato_member"]),
                "nato_joined": int(row["nato_joined"]) if row["nato_joined"] else None,
                "nato_partner": as_bool(row["nato_partner"]),
                "rdp_mou": as_bool(row["rdp_mou"]),
                "cn_tier": row["cn_tier"],
            },
        )

    for row in read_rows("capabilities.csv"):
        Capability.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "example_systems": row["example_systems"],
                "usually_mde": as_bool(row["usually_mde"]),
            },
        )

    for row in read_rows("bins.csv"):
        rule = row["rule"].strip()
        defaults = {"name": row["name"], "priority": int(row["priority"])}
        if rule == "list":
            defaults["membership"] = "list"
        else:
            defaults["membership"] = "rule"
            for word in (part.strip() for part in rule.split(" AND ")):
                defaults[RULE_FLAGS[word]] = True
        bin_, _ = Bin.objects.update_or_create(slug=row["slug"], defaults=defaults)
        if rule == "list":
            bin_.listed_countries.set(row["members"].split())
