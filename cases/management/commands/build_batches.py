from django.core.management.base import BaseCommand

from ...review.batching import build_batches


class Command(BaseCommand):
    help = "Put every actionable case not yet in a review batch into one, now, and say what was done."

    def handle(self, *args, **options):
        self.stdout.write(f"batching: {build_batches()}")
