from django.core.management.base import BaseCommand

from ...models import Case
from ...notify import delivery, digests, reminders
from ...process.timers import CLOCK
from ...review.batching import build_batches, close_windows, counted

LISTED = 10  # case numbers named per job; the rest are counted


class Command(BaseCommand):
    help = "Run every job of Celery beat's schedule once, now, in this process, and say what each changed."

    def handle(self, *args, **options):
        self.stdout.write(f"batching: {build_batches()}")
        self.stdout.write(f"review windows closed: {counted(len(close_windows()), 'batch', 'batches')}")
        for label, job in CLOCK:
            self.stdout.write(f"{label}: {described(job())}")
        told = reminders.remind()
        self.stdout.write(f"reminders: {counted(told['offers'], 'offer')} near expiry, "
                          f"{counted(told['concurrence'], 'office')} overdue")
        self.stdout.write(f"notifications sent: {delivery.deliver_all()}, digests: {digests.send_digests()}")


def described(case_ids):
    """'3 cases (PL-B-AAC, DE-B-AAF, DE-B-AAG)', naming at most LISTED of them in one query."""
    case_ids = list(case_ids)
    if not case_ids:
        return counted(0, "case")
    shown = case_ids[:LISTED]
    numbers = dict(Case.objects.filter(pk__in=shown).values_list("pk", "case_number"))
    more = f" and {len(case_ids) - LISTED} more" if len(case_ids) > LISTED else ""
    return f"{counted(len(case_ids), 'case')} ({', '.join(numbers[pk] for pk in shown)}{more})"

