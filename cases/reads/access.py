"""Who may see what. Every queryset a request reaches goes through the `visible_to` methods below.

A liaison sees their own country's cases; NSPA staff see the joint requests NSPA filed and their
cases; US reviewers and administrators see everything; anybody else sees nothing.
"""
from ..models.people import Role

SEES_EVERYTHING = frozenset({Role.REVIEWER, Role.ADMIN})


def role_of(user):
    """The user's role, or None for the anonymous, the inactive and users without a profile."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None:
        return Role(profile.role)
    return Role.ADMIN if user.is_superuser else None


def visible_cases(queryset, user):
    role = role_of(user)
    if role in SEES_EVERYTHING:
        return queryset
    if role == Role.LIAISON:
        return queryset.filter(country_id=user.profile.country_id)
    if role == Role.NSPA:
        return queryset.filter(joint_request__isnull=False)
    return queryset.none()


def visible_joint_requests(queryset, user):
    role = role_of(user)
    if role in SEES_EVERYTHING or role == Role.NSPA:
        return queryset
    return queryset.none()


def visible_batches(queryset, user):
    return queryset if role_of(user) in SEES_EVERYTHING else queryset.none()
