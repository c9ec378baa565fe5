"""Case search's vector moves from a column of the case to a table of its own (CaseSearch), so that a
move of the case (batching rewrites 100,000 rows at once) no longer re-indexes its words. Filled for the
cases there are on PostgreSQL; on SQLite the table stays empty and no GIN index is made, as before.

The vector is written out here as SQL, as it stood when this migration was written; the application's
definition is cases.reads.search (a test holds the two equal).
"""
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

OLD_INDEX = django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="case_search_idx")
INDEX = django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="case_search_idx")

# One statement for every case: the weights A (case number, its purchaser-and-agency prefix, title),
# B (country name), C (line items), D (LOR justification), in the 'english' configuration.
FILL = """
INSERT INTO cases_casesearch (case_id, vector) SELECT cases_case.id,
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
FROM cases_case
ON CONFLICT (case_id) DO UPDATE SET vector = EXCLUDED.vector
"""


def on_postgresql(operation):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            operation(apps, schema_editor)

    return run


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


def drop_old_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("cases", "Case"), OLD_INDEX)


def add_old_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("cases", "Case"), OLD_INDEX)


def add_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("cases", "CaseSearch"), INDEX)


def remove_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("cases", "CaseSearch"), INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0027_batch_open_size'),
    ]

    operations = [
        # The old index in the state everywhere, in the database on PostgreSQL only (migration 0017).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="case", name="case_search_idx")],
            database_operations=[migrations.RunPython(on_postgresql(drop_old_index), on_postgresql(add_old_index))],
        ),
        migrations.RemoveField(model_name='case', name='search_vector'),
        migrations.CreateModel(
            name='CaseSearch',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                              related_name='search', serialize=False, to='cases.case')),
                ('vector', django.contrib.postgres.search.SearchVectorField()),
            ],
            options={'verbose_name_plural': 'case search vectors'},
        ),
        migrations.RunPython(on_postgresql(fill), migrations.RunPython.noop),
        # Made after the fill: one build over the filled rows costs less than updating it row by row.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="casesearch", index=INDEX)],
            database_operations=[migrations.RunPython(on_postgresql(add_index), on_postgresql(remove_index))],
        ),
    ]
