from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    TimerRule = apps.get_model("cases", "TimerRule")
    TimerRule.objects.update_or_create(
        timer="decision",
        effective_from=date(2003, 1, 1),
        defaults={"days": 30, "source": "fms-review default: a combined review decided within 30 days"},
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_review_batches")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
