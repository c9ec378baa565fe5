from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from ..models import Role
from ..reads.access import role_of

REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})


def roles(*allowed):
    """Signed in, and one of `allowed` roles; anyone else gets 403 (objects beyond a role's scope 404)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def is_reviewer(user):
    return role_of(user) in REVIEWERS
