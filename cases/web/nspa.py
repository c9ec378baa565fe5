from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render

from ..models import REVIEWERS, Case, JointRequest, Role
from .access import roles


@roles(Role.NSPA, *REVIEWERS)
def joint_requests(request):
    """The joint requests NSPA filed, each with its nations' cases and stages."""
    queryset = JointRequest.objects.visible_to(request.user).select_related("lead_nation").prefetch_related(
        Prefetch("cases", queryset=Case.objects.select_related("country", "review_batch").order_by("country_id"))
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "nspa/joint_requests.html", {"page": page})
