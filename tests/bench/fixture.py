"""Actionable cases inserted directly on PostgreSQL, for the benchmark and the worker fault test."""
from django.db import connection
from psycopg2.extras import execute_values

from bins.models import Capability, Country
from cases.models import Case, CaseEvent, DesignatorSequence, LetterOfRequest, LineItem, Verb
from cases.process.numbering import designator_for
from cases.process.stages import Stage


# An LOR's justification as purchasers write one: a paragraph of prose, some of it the same in every LOR.
JUSTIFICATION = (
    "%s requests %s to replenish stocks transferred to Ukraine and to meet its NATO capability targets. "
    "The quantities follow the national defence plan and the basing at %s sites; the purchaser funds the "
    "case from its national budget, asks for delivery within %s months, and wants training for operators "
    "and maintainers, publications, spares and technical assistance through the first years of service."
)


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
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {Case._meta.db_table}")
            (before,) = cursor.fetchone()
            execute_values(
                cursor.cursor,
                f"INSERT INTO {Case._meta.db_table} (case_number, country_id, implementing_agency_id, designator, title, "
                "stage, primary_capability_id, total_value_usd, mde_value_usd, design_construction_value_usd, "
                "tsfd_required, stage_entered_at, created_at, updated_at, stalled_reason) VALUES %s",
                rows,
                template="(%s, %s, %s, %s, %s, %s, %s, 1000000, 0, 0, false, now(), now(), now(), '')",
                page_size=5000,
            )
            # Their trail as submission writes it for a complete LOR: received, and actionable at once.
            cursor.execute(
                f"INSERT INTO {CaseEvent._meta.db_table} (case_id, verb, from_stage, to_stage, payload, at, stage_since) "
                f"SELECT id, %s, %s, %s, '{{}}'::jsonb, created_at, NULL FROM {Case._meta.db_table} WHERE id > %s "
                f"UNION ALL SELECT id, %s, %s, %s, '{{}}'::jsonb, created_at, created_at FROM {Case._meta.db_table} "
                "WHERE id > %s",
                [Verb.LOR_RECEIVED, Stage.LOR_RECEIVED, Stage.LOR_RECEIVED, before,
                 Verb.MARK_ACTIONABLE, Stage.LOR_RECEIVED, Stage.LOR_ACTIONABLE, before],
            )
            # Bring the designator sequences past the numbers used, as the numbering service would have.
            cursor.execute(
                f"INSERT INTO {DesignatorSequence._meta.db_table} (country_id, implementing_agency_id, last_issued) "
                f"SELECT country_id, implementing_agency_id, count(*) FROM {Case._meta.db_table} "
                "GROUP BY country_id, implementing_agency_id "
                "ON CONFLICT (country_id, implementing_agency_id) DO UPDATE SET last_issued = EXCLUDED.last_issued"
            )

    def add_requests(self):
        """An LOR and up to three line items (the capability's example systems) for every case: once,
        when every case is in."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {LetterOfRequest._meta.db_table} (case_id, request_type, funding_source, justification, "
                "originator_reference, third_party_involvement, dcs_negotiation, received_at, validation_due_on, "
                "checks, missing) "
                "SELECT c.id, 'LOA', 'national_funds', format(%s, country.name, lower(capability.name), "
                "c.id %% 40 + 1, c.id %% 36 + 12), '', '', false, c.created_at, c.created_at::date + 45, '{}', '[]' "
                f"FROM {Case._meta.db_table} c JOIN {Country._meta.db_table} country ON country.iso2 = c.country_id "
                f"JOIN {Capability._meta.db_table} capability ON capability.slug = c.primary_capability_id",
                [JUSTIFICATION],
            )
            cursor.execute(
                f"INSERT INTO {LineItem._meta.db_table} (case_id, capability_id, description, quantity, unit_cost_usd, "
                "is_mde, is_design_construction) "
                "SELECT c.id, c.primary_capability_id, trim(system.name), 1 + c.id %% 20, 50000, "
                "capability.usually_mde, false "
                f"FROM {Case._meta.db_table} c JOIN {Capability._meta.db_table} capability "
                "ON capability.slug = c.primary_capability_id "
                "CROSS JOIN LATERAL unnest(string_to_array(capability.example_systems, ';')) "
                "WITH ORDINALITY AS system(name, n) "
                "WHERE system.n <= 1 + c.id %% 3 AND trim(system.name) <> ''",
                [],  # an empty list still has the driver read %% as %
            )

