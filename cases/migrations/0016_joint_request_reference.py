import uuid

from django.db import migrations, models


def give_references(apps, schema_editor):
    JointRequest = apps.get_model("cases", "JointRequest")
    for joint in JointRequest.objects.only("pk"):
        JointRequest.objects.filter(pk=joint.pk).update(reference=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_ia_approval_corrections")]

    operations = [
        # Added empty, filled one row at a time, then made unique: a default alone would give every
        # existing row the same value.
        migrations.AddField("jointrequest", "reference", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            "jointrequest", "reference", models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        ),
    ]
