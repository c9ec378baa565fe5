from django.core.management.base import BaseCommand

from ...review.batching import build_batches


class Command(BaseCommand):
    help = "Put every actionable case not yet in a review batch into one, now, and say what was done."

    def handle(self, *args, **options):
        result = build_batches()
        self.stdout.write(
            f"Batched {result.cases_batched} cases: {result.batches_created} new batches, "
            f"{result.batches_joined} open batches joined."
        )
