"""Bin policy: the standard review policy, the policies of the bins that have their own, and their standing
technology releases (modeled defaults, see README), and the policy of every batch still open.

Later changes are new rows with a later effective date (the admin, or a new migration).
"""
from datetime import date, timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


STANDARD_FROM = date(2003, 1, 1)
# EO 14268 (April 9, 2025) asks for faster, parallel review; the trusted bins' policies start with it.
TRUSTED_FROM = date(2025, 4, 9)
MODELED = "fms-review default (modeled): "

# bin slug (None: standard): (window days, window cases, decision days, concurrence days, source)
POLICIES = {
    None: (14, 50, None, None, "batches gather for two weeks; decision and concurrence by the timer rules"),
    "nato-rdp-mou": (7, 25, 15, 5, "RDP MOU partners: a week's window, decision in 15 days, offices in 5"),
    "five-eyes": (7, 25, 20, 7, "Five Eyes: a week's window, decision in 20 days, offices in 7"),
    "indo-pacific-allies": (10, 25, 20, 7, "treaty allies: ten days' window, decision in 20 days, offices in 7"),
}
# bin slug: capabilities whose technology release already covers the bin's members.
RELEASES = {
    "nato-rdp-mou": ("anti-armor", "air-to-air-munitions", "artillery-munitions", "c4isr-cyber",
                     "long-range-fires", "short-range-air-defense"),
    "five-eyes": ("c4isr-cyber", "isr-uas", "maritime"),
}


def load(apps, schema_editor):
    Bin = apps.get_model("bins", "Bin")
    ReviewPolicy = apps.get_model("cases", "ReviewPolicy")
    StandingRelease = apps.get_model("cases", "StandingRelease")
    bins = {row.slug: row for row in Bin.objects.filter(slug__in=[slug for slug in POLICIES if slug] + list(RELEASES))}
    for slug, (window_days, window_cases, decision_days, concurrence_days, source) in POLICIES.items():
        if slug and slug not in bins:
            continue  # a deployment that removed the bin
        ReviewPolicy.objects.update_or_create(
            bin=bins.get(slug), effective_from=TRUSTED_FROM if slug else STANDARD_FROM,
            defaults={"window_days": window_days, "window_cases": window_cases, "decision_days": decision_days,
                      "concurrence_days": concurrence_days, "source": MODELED + source})
    for slug, capabilities in RELEASES.items():
        for capability in capabilities if slug in bins else ():
            StandingRelease.objects.get_or_create(
                bin=bins[slug], capability_id=capability, effective_from=TRUSTED_FROM, defaults={
                    "decision": f"Standing TSFD release {slug}/{capability} (modeled)",
                    "source": MODELED + "the precedent that counts: an earlier release to the same members"})


def cases_asked_of_earlier_requests(apps, schema_editor):
    """How many cases each earlier request covered, from the trail's record of who was asked about what."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    ConcurrenceRequest = apps.get_model("cases", "ConcurrenceRequest")
    counts = {}
    for payload in CaseEvent.objects.filter(verb="concurrence_asked").values_list("payload", flat=True).iterator():
        for office in payload.get("offices", ()):
            key = (payload["batch"], office)
            counts[key] = counts.get(key, 0) + 1
    for request in ConcurrenceRequest.objects.all():
        request.cases_asked = counts.get((request.batch_id, request.office_id), 0)
        request.save(update_fields=["cases_asked"])


def policies_of_open_batches(apps, schema_editor):
    """Every batch still open follows the policy in force when it opened, window counted from then."""
    ReviewBatch = apps.get_model("cases", "ReviewBatch")
    ReviewPolicy = apps.get_model("cases", "ReviewPolicy")
    rows = list(ReviewPolicy.objects.order_by("effective_from"))
    for batch in ReviewBatch.objects.filter(status="open"):
        opened = batch.created_at.date()
        in_force = [row for row in rows if row.effective_from <= opened]
        policy = ([row for row in in_force if row.bin_id == batch.bin_id and batch.bin_id] or
                  [row for row in in_force if row.bin_id is None])[-1]
        batch.policy = policy
        batch.window_closes_at = batch.created_at + timedelta(days=policy.window_days)
        batch.save(update_fields=["policy", "window_closes_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('bins', '0002_reference_data'),
        ('cases', '0024_event_concurrence_verbs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StandingRelease',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effective_from', models.DateField()),
                ('covered', models.BooleanField(default=True, help_text='Off: a later row revoking the release.')),
                ('decision', models.CharField(help_text='The release decision this rests on (its reference).', max_length=120)),
                ('source', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'ordering': ['bin', 'capability', '-effective_from'],
            },
        ),
        migrations.AddField(
            model_name='reviewbatch',
            name='decision_due_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reviewbatch',
            name='window_closes_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='verb',
            field=models.CharField(choices=[('lor_received', 'LOR received'), ('batch_started', 'Batch taken for review'), ('batch_assigned', 'Batch assigned to a reviewer'), ('batch_memo', 'Batch memo written'), ('concurrence_asked', 'Offices asked to concur'), ('concurrence_answered', 'An office answered'), ('non_concurrence_withdrawn', 'Non-concurrence withdrawn'), ('mark_actionable', 'LOR actionable'), ('return', 'Returned for information'), ('resubmit', 'LOR resubmitted'), ('start_review', 'Joined a combined-review batch'), ('approve', 'Approved'), ('deny', 'Denied'), ('submit_notification', 'Formal congressional notification submitted'), ('offer', 'LOA offered'), ('provide_pa', 'Price and availability provided'), ('request_loa', 'LOA requested after P&A'), ('accept', 'LOA accepted'), ('assurance_recorded', 'Retransfer assurance recorded'), ('expire', 'Offer expired'), ('implement', 'Implemented'), ('close', 'Closed'), ('withdraw', 'Withdrawn'), ('lor_checked', 'LOR checked, information missing'), ('lor_amended', 'LOR information supplied'), ('tsfd_approved', 'TSFD review approved'), ('ia_approved', 'IA approval recorded'), ('ia_approval_corrected', 'IA approval date corrected'), ('informal_review_started', 'Informal congressional review started'), ('emergency_waiver', 'Emergency waiver recorded'), ('notification_cleared', 'Congressional review period ended'), ('stalled', 'Due date passed without a move')], max_length=30),
        ),
        migrations.CreateModel(
            name='ReviewPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effective_from', models.DateField()),
                ('window_days', models.PositiveSmallIntegerField(help_text='A batch takes newcomers for this many days.')),
                ('window_cases', models.PositiveSmallIntegerField(help_text='...or until it holds this many cases.')),
                ('decision_days', models.PositiveSmallIntegerField(blank=True, help_text='Decision due this many days after review starts; empty: the decision timer.', null=True)),
                ('concurrence_days', models.PositiveSmallIntegerField(blank=True, help_text='Each office answers within this many days; empty: the concurrence timer.', null=True)),
                ('source', models.CharField(blank=True, max_length=200)),
                ('bin', models.ForeignKey(blank=True, help_text='Empty: the standard policy, for every batch whose bin has no row of its own.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='policies', to='bins.bin')),
            ],
            options={
                'verbose_name_plural': 'review policies',
                'ordering': ['bin', '-effective_from'],
            },
        ),
        migrations.AddField(
            model_name='reviewbatch',
            name='policy',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.reviewpolicy'),
        ),
        migrations.AddIndex(
            model_name='reviewbatch',
            index=models.Index(condition=models.Q(('status', 'open')), fields=['window_closes_at'], name='batch_window_idx'),
        ),
        migrations.AddField(
            model_name='standingrelease',
            name='bin',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='standing_releases', to='bins.bin'),
        ),
        migrations.AddField(
            model_name='standingrelease',
            name='capability',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bins.capability'),
        ),
        migrations.AddField(
            model_name='case',
            name='tsfd_release',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.standingrelease'),
        ),
        migrations.AddConstraint(
            model_name='reviewpolicy',
            constraint=models.UniqueConstraint(fields=('bin', 'effective_from'), name='policy_unique_per_bin'),
        ),
        migrations.AddConstraint(
            model_name='reviewpolicy',
            constraint=models.UniqueConstraint(condition=models.Q(('bin__isnull', True)), fields=('effective_from',), name='policy_unique_standard'),
        ),
        migrations.AddConstraint(
            model_name='reviewpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('window_days__gt', 0), ('window_cases__gt', 0)), name='policy_window_positive'),
        ),
        migrations.AddConstraint(
            model_name='reviewpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('decision_days__isnull', True), ('decision_days__gt', 0), _connector='OR'), name='policy_decision_days_positive'),
        ),
        migrations.AddConstraint(
            model_name='reviewpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('concurrence_days__isnull', True), ('concurrence_days__gt', 0), _connector='OR'), name='policy_concurrence_days_positive'),
        ),
        migrations.AddConstraint(
            model_name='standingrelease',
            constraint=models.UniqueConstraint(fields=('bin', 'capability', 'effective_from'), name='release_unique'),
        ),
        migrations.AddField(
            model_name='concurrencerequest',
            name='cases_asked',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(cases_asked_of_earlier_requests, migrations.RunPython.noop),
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(policies_of_open_batches, migrations.RunPython.noop),
    ]
