from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from ..models import REVIEWERS, Role
from ..reads.access import role_of
from .reviewer import dashboard

HOMES = {Role.LIAISON: "inbox", Role.NSPA: "nspa"}


@login_required
def home(request):
    """Reviewers land on the batch queue; liaisons on their inbox; NSPA on its joint requests."""
    role = role_of(request.user)
    if role in REVIEWERS:
        return dashboard(request)
    if role not in HOMES:
        raise PermissionDenied("Your account has no role yet; ask an administrator.")
    return redirect(HOMES[role])
