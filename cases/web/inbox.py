"""The liaison's inbox: first the cases waiting on the purchaser (the rule book says which steps are
theirs to take now, and why each is needed), then the country's latest cases."""
from django.shortcuts import render
from django.utils import timezone

from ..models import Case, Role
from ..process.stages import Action, Stage
from ..process.workflow import RULES
from ..process.workflow.offers import offers
from ..reads.queries import case_page_queryset
from .access import roles

# Withdrawal is open to the purchaser until acceptance and waits on no one: it puts no case in the inbox.
WAITING_STAGES = frozenset().union(*(rule.stages for rule in RULES.values()
                                     if Role.LIAISON in rule.by and rule.action != Action.WITHDRAW))
INBOX_SIZE = 50
RECENT_SHOWN = 10


@roles(Role.LIAISON)
def inbox(request):
    user, today = request.user, timezone.localdate()
    waiting = case_page_queryset().visible_to(user).filter(stage__in=WAITING_STAGES).order_by("stage_entered_at", "id")
    rows, items = list(waiting[:INBOX_SIZE + 1]), []
    for case in rows[:INBOX_SIZE]:
        loa = getattr(case, "loa", None)  # none before approval
        steps = [offer.rule for offer in offers(case, user)
                 if offer.allowed and offer.rule.action != Action.WITHDRAW]
        if steps:
            items.append({"case": case, "steps": steps, "returned": next(iter(case.decisions.all()), None)
                          if case.stage == Stage.LOR_RETURNED else None,
                          "oed_days": (loa.offer_expires_on - today).days
                          if loa and loa.offer_expires_on else None})
    recent = Case.objects.visible_to(user).select_related("review_batch").order_by("-created_at", "-id")[:RECENT_SHOWN]
    return render(request, "portal/inbox.html", {"items": items, "recent": recent,
                                                 "country": user.profile.country, "more": len(rows) > INBOX_SIZE})
