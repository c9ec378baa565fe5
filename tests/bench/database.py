"""A bench's own PostgreSQL database, dropped and migrated afresh for each run."""
import psycopg2
from django.core.management import call_command
from django.db import connection


def recreate_database(url):
    """Drop and create the database of `url` (the one Django is connected to), then migrate it."""
    name = connection.settings_dict["NAME"]
    connection.close()  # the drop below ends every session on the database, this process's too
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    call_command("migrate", verbosity=0)
