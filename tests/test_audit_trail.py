"""The audit trail is append-only through the ORM."""
import pytest
from django.core.exceptions import PermissionDenied

from cases.models import CaseEvent

from .builders import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(reviewer):
    return submit(reviewer).events.first()


def test_an_event_cannot_be_edited(event):
    event.payload = {"rewritten": True}
    with pytest.raises(PermissionDenied):
        event.save()
    assert CaseEvent.objects.get(pk=event.pk).payload != {"rewritten": True}


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionDenied):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_events_cannot_be_bulk_changed(event, operation):
    queryset = CaseEvent.objects.filter(pk=event.pk)
    with pytest.raises(PermissionDenied):
        queryset.update(verb="deny") if operation == "update" else queryset.delete()
    assert CaseEvent.objects.get(pk=event.pk).verb == event.verb


def test_the_database_refuses_an_update_from_any_client(event):
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET verb = 'deny' WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).verb == event.verb


def test_the_database_refuses_a_delete(postgres, event):
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_no_api_operation_can_change_or_delete_anything_recorded(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    methods = {method for path, operations in schema["paths"].items() for method in operations
               if not path.startswith("/api/v1/webhooks/")}
    assert methods <= {"get", "post", "parameters"}
    # An organisation's own configuration is changed (PATCH), never deleted: its delivery log stays.
    assert {method for path, operations in schema["paths"].items() for method in operations} <= {
        "get", "post", "patch", "parameters"}
    assert not any("event" in path for path in schema["paths"])
