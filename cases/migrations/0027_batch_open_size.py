from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_open_batches(apps, schema_editor):
    """Each open batch's cases in review, as batching counted them before the count was kept."""
    Case = apps.get_model("cases", "Case")
    ReviewBatch = apps.get_model("cases", "ReviewBatch")
    in_review = (Case.objects.filter(review_batch=OuterRef("pk"), stage="in_review").order_by()
                 .values("review_batch").annotate(n=Count("pk")).values("n"))
    ReviewBatch.objects.filter(status="open").update(open_size=Coalesce(Subquery(in_review), 0))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0026_notifications'),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewbatch',
            name='open_size',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_open_batches, migrations.RunPython.noop),
    ]
