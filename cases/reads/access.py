"""Who may see what. Every queryset a request reaches goes through the `visible_to` methods below, or,
for rows that hang off cases and batches (events, decisions, offers), through the same scope as a filter.

A liaison sees their own country's cases; NSPA staff see the joint requests NSPA filed and their
cases; US reviewers and administrators see everything; anybody else sees nothing.
"""
from django.db.models import Q

from ..models.people import REVIEWERS, Role, role_of

__all__ = ["batch_scope", "case_scope", "own_notices", "own_subscriptions", "role_of", "visible_batches", "visible_cases", "visible_joint_requests"]

NOTHING = Q(pk__in=[])


def case_scope(user, prefix=""):
    """The cases `user` may see, as a filter on cases (or, with `prefix` "case__", on rows of a case)."""
    role = role_of(user)
    if role in REVIEWERS:
        return Q()
    if role == Role.LIAISON:
        return Q(**{f"{prefix}country_id": user.profile.country_id})
    if role == Role.NSPA:
        return Q(**{f"{prefix}joint_request__isnull": False})
    return NOTHING


def batch_scope(user, prefix=""):
    """The batches `user` may see: a reviewer's work, nobody else's."""
    return Q() if role_of(user) in REVIEWERS else NOTHING


def visible_cases(queryset, user):
    return queryset.filter(case_scope(user))


def visible_joint_requests(queryset, user):
    role = role_of(user)
    if role in REVIEWERS or role == Role.NSPA:
        return queryset
    return queryset.none()


def visible_batches(queryset, user):
    return queryset.filter(batch_scope(user))


def own_notices(user):
    """The in-app notices a user may read: their own, nobody else's."""
    from ..models import Channel, OutboxMessage

    if role_of(user) is None:
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(user=user, channel=Channel.IN_APP)


def own_subscriptions(queryset, user):
    """The webhook subscriptions of the user's organisation: NSPA's for its staff, a purchaser's for
    its liaisons; US staff have none."""
    from ..models.notices import Audience

    role = role_of(user)
    if role == Role.NSPA:
        return queryset.filter(audience=Audience.NSPA)
    if role == Role.LIAISON:
        return queryset.filter(audience=Audience.COUNTRY, country_id=user.profile.country_id)
    return queryset.none()
