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
