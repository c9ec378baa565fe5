from django.core.exceptions import ValidationError

from ...models import ReviewerNote


def add_note(case, *, author, text):
    """Add an internal reviewer note; the caller has checked the author is a reviewer."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Write the note first."]})
    if len(text) > 5000:
        raise ValidationError({"text": ["At most 5,000 characters."]})
    return ReviewerNote.objects.create(case=case, author=author, text=text)
