from django.conf import settings
from django.db import models
from django.utils import timezone


class ReviewerNote(models.Model):
    """An internal note among US reviewers on a case; never shown to liaisons or NSPA."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="note_not_empty")]

    def __str__(self):
        return f"Note on {self.case_id} by {self.author_id}"
