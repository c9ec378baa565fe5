from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SavedViewQuerySet(models.QuerySet):
    def usable_by(self, user):
        """The views `user` may apply: their own and those shared with all reviewers."""
        return self.filter(Q(owner=user) | Q(shared=True))


class SavedView(models.Model):
    """A reviewer's named set of queue filters and sort, kept as the queue's query string; the queue's
    own filter parses it again each time, so a view can hold nothing the queue would not accept."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    shared = models.BooleanField(default=False, help_text="Listed for every reviewer, not only its owner.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="saved_view_named"),
        ]

    def __str__(self):
        return self.name
