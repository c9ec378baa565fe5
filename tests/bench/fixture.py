"""Actionable cases inserted directly on PostgreSQL, for the benchmark and the worker fault test."""
from django.db import connection
from psycopg2.extras import execute_values

from bins.models import Capability, Country
from cases.models import Case, DesignatorSequence
from cases.process.numbering import designator_for
from cases.process.stages import Stage


class Fixture:
    """Actionable cases inserted directly: the benchmark's starting data, not something the app does."""

    def __init__(self):
        self.countries = list(Country.objects.order_by("iso2").values_list("iso2", flat=True))
        self.capabilities = list(Capability.objects.order_by("slug").values_list("slug", flat=True))
        self.made = 0

    def add(self, count):
        rows = []
        for _ in range(count):
            n = self.made
            country = self.countries[n % len(self.countries)]
            designator = designator_for(n // len(self.countries))
            rows.append((f"{country}-B-{designator}", country, "B", designator, f"Bench case {n}",
                         Stage.LOR_ACTIONABLE, self.capabilities[(n // 7) % len(self.capabilities)]))
            self.made += 1
        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                f"INSERT INTO {Case._meta.db_table} (case_number, country_id, implementing_agency_id, designator, title, "
                "stage, primary_capability_id, total_value_usd, mde_value_usd, design_construction_value_usd, "
                "tsfd_required, stage_entered_at, created_at, updated_at, stalled_reason) VALUES %s",
                rows,
                template="(%s, %s, %s, %s, %s, %s, %s, 1000000, 0, 0, false, now(), now(), now(), '')",
                page_size=5000,
            )
            # Bring the designator sequences past the numbers used, as the numbering service would have.
            cursor.execute(
                f"INSERT INTO {DesignatorSequence._meta.db_table} (country_id, implementing_agency_id, last_issued) "
                f"SELECT country_id, implementing_agency_id, count(*) FROM {Case._meta.db_table} "
                "GROUP BY country_id, implementing_agency_id "
                "ON CONFLICT (country_id, implementing_agency_id) DO UPDATE SET last_issued = EXCLUDED.last_issued"
            )
