import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from ...demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts, give_addresses
from ...demo.walk import seed_cases


class Command(BaseCommand):
    help = "Create the demo accounts and bring the number of demo cases up to --cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=300, help="How many demo cases there should be (default 300).")

    def handle(self, *args, cases, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it refuses to run with DEBUG off. "
                "Set DEBUG=1 on a development or demo machine."
            )
        if cases < 0:
            raise CommandError("--cases must be zero or more.")
        users = ensure_demo_accounts()
        self.stdout.write(f"Demo accounts ready: {', '.join(DEMO_ACCOUNTS)} (password {DEMO_PASSWORD}).")
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"\r  {done:>6}/{total} cases  {time.monotonic() - started:5.1f} s", ending="")
            self.stdout.flush()

        # The debug cursor would log (and, on SQLite, re-quote) every one of hundreds of thousands of statements.
        connection.force_debug_cursor = False
        with override_settings(DEBUG=False):
            created = seed_cases(cases, users, progress=progress)
        give_addresses(users)
        if created:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Created {created} demo cases in {time.monotonic() - started:.1f} s."))
