"""NSPA's rooms: its joint requests, and one joint request nation by nation."""
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.shortcuts import get_object_or_404, render

from ..models import REVIEWERS, Case, JointRequest, Role
from ..process.stages import Stage
from ..reads.access import role_of
from .access import roles

# Where a nation's case counts as done with the offer, for the progress of the whole request.
ACCEPTED_OR_BEYOND = frozenset({Stage.LOA_ACCEPTED, Stage.IMPLEMENTED, Stage.CLOSED})


def nations_of(queryset):
    """Each joint request's cases with what its page shows: quantities, value, stage, assurance."""
    cases = (Case.objects.select_related("country", "review_batch", "assurance")
             .annotate(quantity=Sum("line_items__quantity")).order_by("country_id"))
    return queryset.select_related("lead_nation", "filed_by").prefetch_related(Prefetch("cases", queryset=cases))


def with_progress(joint):
    nations = list(joint.cases.all())
    joint.nations = nations
    joint.total_value_usd = sum(case.total_value_usd for case in nations)
    joint.accepted = sum(case.stage in ACCEPTED_OR_BEYOND for case in nations)
    joint.needs_assurances = joint.model == JointRequest.Model.LEAD_NATION
    for case in nations:
        case.is_lead = case.country_id == joint.lead_nation_id
    return joint


@roles(Role.NSPA, *REVIEWERS)
def joint_requests(request):
    """The joint requests NSPA filed, each with its nations' cases, values and progress."""
    page = Paginator(nations_of(JointRequest.objects.visible_to(request.user)), 25).get_page(request.GET.get("page"))
    return render(request, "nspa/joint_requests.html",
                  {"page": page, "joints": [with_progress(joint) for joint in page.object_list],
                   "can_file": role_of(request.user) == Role.NSPA})


@roles(Role.NSPA, *REVIEWERS)
def joint_request(request, reference):
    joint = get_object_or_404(nations_of(JointRequest.objects.visible_to(request.user)), reference=reference)
    return render(request, "nspa/joint_request.html", {"joint": with_progress(joint)})
