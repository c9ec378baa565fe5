from rest_framework.permissions import BasePermission

from ..models import role_of


class RolePermission(BasePermission):
    """Deny by default: a view serves only the roles it names in `roles`, per action (viewsets) or
    per HTTP method (plain views). A view or action that names none serves nobody."""

    message = "Your role may not use this endpoint."

    def has_permission(self, request, view):
        roles = getattr(view, "roles", {})
        action = getattr(view, "action", None) or request.method.lower()
        if action == "options":
            action = "get"
        return role_of(request.user) in roles.get(action, ())
