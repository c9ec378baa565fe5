"""The database itself refuses to change the audit trail, whatever client connects (not only the ORM).

PostgreSQL refuses UPDATE and DELETE of a case event; SQLite (development) refuses UPDATE, since its
test flush deletes rows where PostgreSQL's truncates.
"""
from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION cases_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on cases_caseevent is refused.', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION cases_caseevent_append_only();
"""
SQLITE = """
CREATE TRIGGER IF NOT EXISTS cases_caseevent_append_only BEFORE UPDATE ON cases_caseevent
BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE on cases_caseevent is refused.'); END;
"""


def install(apps, schema_editor):
    sql = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def remove(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS cases_caseevent_append_only"
                       + (" ON cases_caseevent" if schema_editor.connection.vendor == "postgresql" else ""))


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_reviewer_notes")]

    operations = [migrations.RunPython(install, remove)]
