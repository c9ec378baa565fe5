"""Each move of the audit trail records when the span it ends began (`CaseEvent.stage_since`).

For the moves made before this migration it is derived from the trail itself: the case's previous stage
change, or its receipt, paired by a window over each case's events. The one write to the trail that is
not an INSERT: a fact added beside the recorded ones, changing none, with the trigger that refuses any
UPDATE lifted for that statement only.
"""
import importlib

from django.db import migrations, models

append_only = importlib.import_module("cases.migrations.0008_append_only_events")

# The same SQL on PostgreSQL and SQLite (3.33 and later: UPDATE ... FROM).
FILL = """
UPDATE cases_caseevent SET stage_since = spans.since
FROM (SELECT id, from_stage, to_stage,
             lag(at) OVER (PARTITION BY case_id ORDER BY at, id) AS since,
             lag(to_stage) OVER (PARTITION BY case_id ORDER BY at, id) AS entered
      FROM cases_caseevent WHERE from_stage <> to_stage OR verb = 'lor_received') spans
WHERE cases_caseevent.id = spans.id AND spans.from_stage <> spans.to_stage AND spans.entered = spans.from_stage
"""


def fill(apps, schema_editor):
    append_only.remove(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL)
    append_only.install(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0021_batch_memo"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="stage_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # SQLite rebuilds the table to add a column: the trigger goes back on in fill.
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
