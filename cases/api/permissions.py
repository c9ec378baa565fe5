from rest_framework.permissions import BasePermission

from ..models import role_of


class RolePermission(BasePermission):
    """Deny by default: a view serves only the roles it names in `roles`, per action (viewsets) or
    per HTTP method (plain views). A view or action that names none serves nobody; without credentials
    DRF answers that 401. A method the view does not handle at all passes here, so that DRF answers it
    405 for everyone, as the schema says, rather than 403."""

    message = "Your role may not use this endpoint."

    def has_permission(self, request, view):
        method = request.method.lower()
        if method != "options" and not hasattr(view, method):
            return True
        roles = getattr(view, "roles", {})
        action = getattr(view, "action", None) or method
        if action == "options":
            action = "get"
        return role_of(request.user) in roles.get(action, ())
