from django.db import migrations

from bins.reference_data import load_reference_data


class Migration(migrations.Migration):
    dependencies = [("bins", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
