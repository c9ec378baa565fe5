"""Who may see what. Every queryset a request reaches goes through the `visible_to` methods below.

A liaison sees their own country's cases; NSPA staff see the joint requests NSPA filed and their
cases; US reviewers and administrators see everything; anybody else sees nothing.
"""
from ..models.people import REVIEWERS, Role, role_of

__all__ = ["role_of", "visible_batches", "visible_cases", "visible_joint_requests"]


def visible_cases(queryset, user):
    role = role_of(user)
    if role in REVIEWERS:
        return queryset
    if role == Role.LIAISON:
        return queryset.filter(country_id=user.profile.country_id)
    if role == Role.NSPA:
        return queryset.filter(joint_request__isnull=False)
    return queryset.none()


def visible_joint_requests(queryset, user):
    role = role_of(user)
    if role in REVIEWERS or role == Role.NSPA:
        return queryset
    return queryset.none()


def visible_batches(queryset, user):
    return queryset if role_of(user) in REVIEWERS else queryset.none()
