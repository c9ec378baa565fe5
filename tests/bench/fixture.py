"""Actionable cases inserted directly on PostgreSQL, for the benchmark and the worker fault test.

Shaped as the demo's are: every case has its LOR (a paragraph of prose) and one to three line items,
values from $100,000 to about $100 million with major defense equipment in a third, one case in 70 is a
participant of one of NSPA's joint requests (three nations, lead-nation model), they were received
over two years, and each carries the search vector submission writes with it.
"""
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from psycopg2.extras import execute_values

from bins.models import Capability, Country
from cases.models import Case, CaseEvent, DesignatorSequence, JointRequest, LetterOfRequest, LineItem, Profile, Verb
from cases.process.numbering import designator_for
from cases.process.stages import Stage
from cases.reads.search import refresh_vectors

# An LOR's justification as purchasers write one: a paragraph of prose, some of it the same in every LOR.
JUSTIFICATION = (
    "%s requests %s to replenish stocks transferred to Ukraine and to meet its NATO capability targets. "
    "The quantities follow the national defence plan and the basing at %s sites; the purchaser funds the "
    "case from its national budget, asks for delivery within %s months, and wants training for operators "
    "and maintainers, publications, spares and technical assistance through the first years of service."
)
JOINT_EVERY, JOINT_NATIONS = 70, 3  # a joint request's cases are consecutive: one capability, three countries
FIRST_RECEIVED, RECEIVED_EVERY_SECONDS = datetime(2025, 1, 1, 8, tzinfo=UTC), 200  # 300,000 cases in two years


class Fixture:
    """Actionable cases inserted directly: the benchmark's starting data, not something the app does."""

    def __init__(self):
        self.countries = list(Country.objects.order_by("iso2").values_list("iso2", flat=True))
        self.capabilities = list(Capability.objects.order_by("slug").values_list("slug", flat=True))
        self.made = 0
        self.nspa = None

    def add(self, count):
        """`count` more actionable cases, with their LORs, line items, search vectors and trail."""
        joint = self.joint_requests(count)
        rows = [self.row(n, joint) for n in range(self.made, self.made + count)]
        self.made += count
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {Case._meta.db_table}")
            (before,) = cursor.fetchone()
            execute_values(
                cursor.cursor,
                f"INSERT INTO {Case._meta.db_table} (case_number, country_id, implementing_agency_id, designator, title, "
                "primary_capability_id, total_value_usd, mde_value_usd, joint_request_id, created_at, stage, "
                "design_construction_value_usd, tsfd_required, stage_entered_at, updated_at, stalled_reason) VALUES %s",
                rows,
                template=f"(%s, %s, 'B', %s, %s, %s, %s, %s, %s, %s, '{Stage.LOR_ACTIONABLE}', 0, false, %s, %s, '')",
                page_size=5000,
            )
            self.add_requests(cursor, before)
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
        refresh_vectors(Case.objects.filter(pk__gt=before))

    def row(self, n, joint):
        """The n-th case's columns, as the INSERT below lists them."""
        country = self.countries[n % len(self.countries)]
        total = 100_000 * (1 + n * 7919 % 997)
        received = FIRST_RECEIVED + timedelta(seconds=n * RECEIVED_EVERY_SECONDS)
        return (f"{country}-B-{designator_for(n // len(self.countries))}", country,
                designator_for(n // len(self.countries)), f"Bench case {n}",
                self.capabilities[(n // 7) % len(self.capabilities)], total, total * 6 // 10 if n % 3 == 0 else 0,
                joint.get(n - n % JOINT_EVERY) if n % JOINT_EVERY < JOINT_NATIONS else None, received, received,
                received)

    def settle(self):
        """What autovacuum and the checkpointer would have done by the time anyone batched: the rows'
        visibility and statistics current, their dirty pages written (not during a timed run)."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")

    def joint_requests(self, count):
        """{first case's n: joint request id} for the joint requests among the next `count` cases."""
        firsts = [n for n in range(self.made, self.made + count) if n % JOINT_EVERY == 0]
        if not firsts:
            return {}
        if self.nspa is None:
            self.nspa, _ = get_user_model().objects.get_or_create(username="bench-nspa")
            Profile.objects.update_or_create(user=self.nspa, defaults={"role": "nspa"})
        made = JointRequest.objects.bulk_create(
            JointRequest(filed_by=self.nspa, model=JointRequest.Model.LEAD_NATION, title=f"Bench joint request {n}",
                         lead_nation_id=self.countries[n % len(self.countries)]) for n in firsts)
        return {n: request.pk for n, request in zip(firsts, made)}

    @staticmethod
    def add_requests(cursor, before):
        """An LOR and up to three line items (the capability's example systems) for each case after `before`."""
        cursor.execute(
            f"INSERT INTO {LetterOfRequest._meta.db_table} (case_id, request_type, funding_source, justification, "
            "originator_reference, third_party_involvement, dcs_negotiation, received_at, validation_due_on, "
            "checks, missing) "
            "SELECT c.id, 'LOA', 'national_funds', format(%s, country.name, lower(capability.name), "
            "c.id %% 40 + 1, c.id %% 36 + 12), '', '', false, c.created_at, c.created_at::date + 45, '{}', '[]' "
            f"FROM {Case._meta.db_table} c JOIN {Country._meta.db_table} country ON country.iso2 = c.country_id "
            f"JOIN {Capability._meta.db_table} capability ON capability.slug = c.primary_capability_id "
            "WHERE c.id > %s",
            [JUSTIFICATION, before],
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
            "WHERE system.n <= 1 + c.id %% 3 AND trim(system.name) <> '' AND c.id > %s",
            [before],
        )
