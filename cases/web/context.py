from ..reads.access import role_of


def role(request):
    """The signed-in user's role, for the navigation."""
    return {"role": role_of(getattr(request, "user", None))}
