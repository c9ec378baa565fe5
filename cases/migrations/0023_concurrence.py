"""Offices and concurrence: the offices in force when fms-review added parallel concurrence, which of
them must concur (modeled defaults, see README), their answering timer, and the reviewers' offices.

Later changes are new rule rows with a later effective date (the admin, or a new migration).
"""
from datetime import date

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

IN_FORCE_FROM = date(2003, 1, 1)
MODELED = "fms-review default (modeled): "

OFFICES = {
    "dsca": "Defense Security Cooperation Agency (DSCA)",
    "state-rsat": "State Department, Regional Security and Arms Transfers (PM/RSAT)",
    "ia": "Implementing agency",
    "dtsa": "Defense Technology Security Administration (DTSA)",
}
COMBATANT_COMMANDS = ("AFRICOM", "CENTCOM", "EUCOM", "INDOPACOM", "NORTHCOM", "SOUTHCOM")

# office: (scope, source); every combatant command concurs for its own area.
RULES = {
    "state-rsat": ({}, MODELED + "State weighs in on every sale"),
    "dsca": ({}, MODELED + "DSCA runs every FMS case"),
    "ia": ({}, MODELED + "the implementing agency prices and builds every LOA"),
    "dtsa": ({"tsfd_only": True}, MODELED + "DTSA when a technology-release (TSFD) review is required"),
}


def load(apps, schema_editor):
    Office = apps.get_model("cases", "Office")
    Region = apps.get_model("bins", "Region")
    ConcurrenceRule = apps.get_model("cases", "ConcurrenceRule")
    TimerRule = apps.get_model("cases", "TimerRule")
    for code, name in OFFICES.items():
        Office.objects.update_or_create(code=code, defaults={"name": name})
    for region in Region.objects.filter(code__in=COMBATANT_COMMANDS):
        Office.objects.update_or_create(code=region.code.lower(), defaults={"name": region.name, "region": region})
        ConcurrenceRule.objects.get_or_create(
            office_id=region.code.lower(), region=region, effective_from=IN_FORCE_FROM,
            defaults={"source": MODELED + "the combatant command for the purchaser's area"})
    for code, (scope, source) in RULES.items():
        ConcurrenceRule.objects.get_or_create(office_id=code, effective_from=IN_FORCE_FROM, **scope,
                                              defaults={"source": source})
    TimerRule.objects.update_or_create(timer="concurrence", effective_from=IN_FORCE_FROM, defaults={
        "days": 10, "source": MODELED + "each office answers within 10 days; no statute sets it"})


def offices_of_profiles(apps, schema_editor):
    """The free-text offices of earlier profiles, where they name an office."""
    Profile = apps.get_model("cases", "Profile")
    names = {"dsca": "dsca", "state": "state-rsat", "dtsa": "dtsa", "ia": "ia"}
    for profile in Profile.objects.exclude(office_name="").filter(role__in=["reviewer", "admin"]):
        profile.office_id = names.get(profile.office_name.strip().lower())
        profile.save(update_fields=["office"])


class Migration(migrations.Migration):

    dependencies = [
        ('bins', '0002_reference_data'),
        ('cases', '0022_event_stage_since'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name='profile', old_name='office', new_name='office_name'),
        migrations.AlterField(
            model_name='timerrule',
            name='timer',
            field=models.CharField(choices=[('lor_validation', 'LOR validation after receipt'), ('aod_group_a', 'Anticipated Offer Date, group A'), ('aod_group_b', 'Anticipated Offer Date, group B'), ('aod_group_c', 'Anticipated Offer Date, group C'), ('offer_expiration', 'Offer Expiration Date after IA approval'), ('closure', 'Closure after supply and services complete'), ('decision', 'Decision after combined review starts'), ('pa_response', 'Price and availability answer after approval'), ('concurrence', 'Office concurrence after combined review starts')], max_length=20),
        ),
        migrations.CreateModel(
            name='ConcurrenceRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('asked_at', models.DateTimeField()),
                ('due_on', models.DateField()),
                ('answer', models.CharField(blank=True, choices=[('concur', 'Concurs'), ('conditions', 'Concurs with conditions'), ('non_concur', 'Does not concur')], max_length=10)),
                ('reason', models.TextField(blank=True, help_text='The conditions, or why the office does not concur.', max_length=5000)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='concurrence_requests', to='cases.reviewbatch')),
            ],
            options={
                'ordering': ['batch', 'office'],
            },
        ),
        migrations.CreateModel(
            name='CaseConcurrence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('answer', models.CharField(choices=[('concur', 'Concurs'), ('conditions', 'Concurs with conditions'), ('non_concur', 'Does not concur')], max_length=10)),
                ('reason', models.TextField(blank=True, max_length=5000)),
                ('answered_at', models.DateTimeField()),
                ('answered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='carve_outs', to='cases.concurrencerequest')),
            ],
            options={
                'ordering': ['request', 'case'],
            },
        ),
        migrations.CreateModel(
            name='Office',
            fields=[
                ('code', models.SlugField(max_length=20, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=120, unique=True)),
                ('region', models.ForeignKey(blank=True, help_text='For a combatant command: its area of responsibility.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bins.region')),
            ],
            options={
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='ConcurrenceRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effective_from', models.DateField()),
                ('cn_tier', models.CharField(blank=True, max_length=10, verbose_name='CN tier')),
                ('min_value_usd', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='from a case value of (USD)')),
                ('tsfd_only', models.BooleanField(default=False, verbose_name='only when a TSFD review is required')),
                ('required', models.BooleanField(default=True, help_text='Off: a later row ending the requirement of an earlier one.')),
                ('source', models.CharField(blank=True, max_length=200)),
                ('bin', models.ForeignKey(blank=True, help_text='Only for batches of this bin.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bins.bin')),
                ('capability', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bins.capability')),
                ('region', models.ForeignKey(blank=True, help_text="Only for purchasers in this combatant command's area.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bins.region')),
                ('office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rules', to='cases.office')),
            ],
            options={
                'ordering': ['office', '-effective_from', 'id'],
            },
        ),
        migrations.AddField(
            model_name='concurrencerequest',
            name='office',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='cases.office'),
        ),
        migrations.AddField(
            model_name='profile',
            name='office',
            field=models.ForeignKey(blank=True, help_text='For US staff: the office they answer for in concurrence.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff', to='cases.office'),
        ),
        migrations.AddConstraint(
            model_name='profile',
            constraint=models.CheckConstraint(condition=models.Q(('office__isnull', True), ('role__in', ['reviewer', 'admin']), _connector='OR'), name='profile_office_only_us_staff'),
        ),
        migrations.AddConstraint(
            model_name='caseconcurrence',
            constraint=models.UniqueConstraint(fields=('request', 'case'), name='case_concurrence_once'),
        ),
        migrations.AddConstraint(
            model_name='caseconcurrence',
            constraint=models.CheckConstraint(condition=models.Q(('answer', 'concur'), models.Q(('reason', ''), _negated=True), _connector='OR'), name='case_concurrence_reason'),
        ),
        migrations.AddIndex(
            model_name='concurrencerequest',
            index=models.Index(condition=models.Q(('answer', '')), fields=['office', 'due_on'], name='concurrence_awaiting_idx'),
        ),
        migrations.AddConstraint(
            model_name='concurrencerequest',
            constraint=models.UniqueConstraint(fields=('batch', 'office'), name='concurrence_request_once'),
        ),
        migrations.AddConstraint(
            model_name='concurrencerequest',
            constraint=models.CheckConstraint(condition=models.Q(('answer', ''), ('answer', 'concur'), models.Q(('reason', ''), _negated=True), _connector='OR'), name='concurrence_request_reason'),
        ),
        migrations.AddConstraint(
            model_name='concurrencerequest',
            constraint=models.CheckConstraint(condition=models.Q(('answer', ''), ('answered_at__isnull', False), _connector='OR'), name='concurrence_request_answer_dated'),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(offices_of_profiles, migrations.RunPython.noop),
        migrations.RemoveField(model_name='profile', name='office_name'),
    ]
