"""Case search: a stored, weighted full-text vector per case with a GIN index, filled for the cases there
are, on PostgreSQL. On SQLite the column stays null and no index is made: search reads the fields there.

The vector is written out here as SQL, as it stood when this migration was written; the application's
definition is cases.reads.search (a test holds the two equal).
"""
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

INDEX = django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="case_search_idx")

# One statement for every case: the weights A (case number, its purchaser-and-agency prefix, title),
# B (country name), C (line items), D (LOR justification), in the 'english' configuration.
FILL = """
UPDATE cases_case SET search_vector =
    setweight(to_tsvector('english'::regconfig, COALESCE(case_number, '') || ' ' || COALESCE(LEFT(case_number, 4), '')
                                                || ' ' || COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(
        (SELECT name FROM bins_country WHERE bins_country.iso2 = cases_case.country_id), '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(
        (SELECT STRING_AGG(description, ' ' ORDER BY id) FROM cases_lineitem
         WHERE cases_lineitem.case_id = cases_case.id), '')), 'C')
    || setweight(to_tsvector('english'::regconfig, COALESCE(
        (SELECT justification FROM cases_letterofrequest WHERE cases_letterofrequest.case_id = cases_case.id),
        '')), 'D')
"""


def on_postgresql(operation):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            operation(apps.get_model("cases", "Case"), schema_editor)

    return run


def fill(case_model, schema_editor):
    schema_editor.execute(FILL)


def add_index(case_model, schema_editor):
    schema_editor.add_index(case_model, INDEX)


def remove_index(case_model, schema_editor):
    schema_editor.remove_index(case_model, INDEX)


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_joint_request_reference")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(fill), migrations.RunPython.noop),
        # The index in the model's state everywhere, in the database on PostgreSQL only. Made after the
        # fill: one build over the filled rows costs less than updating the index row by row.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="case", index=INDEX)],
            database_operations=[migrations.RunPython(on_postgresql(add_index), on_postgresql(remove_index))],
        ),
    ]
