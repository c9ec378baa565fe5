"""What an action is judged against besides the case: who acts, when, what they send, and through what."""
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone


@dataclass
class Context:
    actor: AbstractBaseUser | None
    at: datetime
    inputs: dict = field(default_factory=dict)
    batch: object = None  # the locked ReviewBatch when a case is decided through its batch

    @property
    def today(self):
        return timezone.localdate(self.at)

    @property
    def reason(self):
        return self.inputs.get("reason") or ""


def context(actor=None, at=None, inputs=None, batch=None):
    """A Context with text inputs stripped: a reason of blanks is no reason."""
    cleaned = {name: value.strip() if isinstance(value, str) else value for name, value in (inputs or {}).items()}
    return Context(actor=actor, at=at or timezone.now(), inputs=cleaned, batch=batch)
