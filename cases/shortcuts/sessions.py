"""How a signed-in browser session finds its user."""
from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Django's, reading the user's profile and country in the same query as the user: every page asks
    for the role (navigation, access checks, scoped querysets), and a liaison's page names the country.

    Relies on: ModelBackend.get_user(user_id) being how a session finds its user (aget_user is Django's, unchanged)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("profile__country")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
