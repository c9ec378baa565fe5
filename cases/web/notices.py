"""The bell, the notices page, preferences and unsubscribing (cases.notify writes what they show)."""
from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import EVERY_ROLE, DigestSettings, Mode, NoticeKind, NoticePreference, role_of
from ..notify import digests
from ..notify import unsubscribe as tokens
from ..notify.emails import path
from ..notify.kinds import kinds_for
from ..reads.access import own_notices
from .access import roles

PAGE_SIZE = 25
TIME_ZONES = sorted(available_timezones())


@roles(*EVERY_ROLE)
def bell(request):
    """The header's count of unread notices; the page polls it (htmx), so pages need not count."""
    unread = own_notices(request.user).filter(read_at__isnull=True).count()
    return render(request, "notify/_bell.html", {"unread": unread})


@roles(*EVERY_ROLE)
def notice_list(request):
    notices = own_notices(request.user).select_related("notice__case", "notice__batch")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {
        "page": page, "unread": own_notices(request.user).filter(read_at__isnull=True).count()})


@require_POST
@roles(*EVERY_ROLE)
def notice_open(request, pk):
    """Mark one notice read and go to what it is about."""
    message = get_object_or_404(own_notices(request.user).select_related("notice__case"), pk=pk)
    if message.read_at is None:
        own_notices(request.user).filter(pk=pk).update(read_at=timezone.now())
    return redirect(path(message.notice))


@require_POST
@roles(*EVERY_ROLE)
def notices_read(request):
    marked = own_notices(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"Marked {marked} notice{'s' if marked != 1 else ''} read.")
    return redirect("notifications")


class PreferencesForm(forms.Form):
    hour = forms.TypedChoiceField(label="Daily digest at", coerce=int,
                                  choices=[(hour, f"{hour:02d}:00") for hour in range(24)])
    time_zone = forms.ChoiceField(label="in the time zone", choices=[(name, name) for name in TIME_ZONES])

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for entry in kinds:
            self.fields[entry.kind.value] = forms.ChoiceField(label=entry.label, choices=Mode.choices,
                                                              widget=forms.RadioSelect)

    def kind_fields(self):
        return [self[entry.kind.value] for entry in self.kinds]


@roles(*EVERY_ROLE)
def preferences(request):
    user, kinds = request.user, kinds_for(role_of(request.user))
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("kind", "mode"))
    digest = DigestSettings.objects.filter(user=user).first() or DigestSettings(user=user)
    initial = {"hour": digest.hour, "time_zone": digest.time_zone,
               **{entry.kind.value: chosen.get(entry.kind, Mode.NOW) for entry in kinds}}
    form = PreferencesForm(request.POST or None, initial=initial, kinds=kinds)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                for entry in kinds:
                    NoticePreference.objects.update_or_create(user=user, kind=entry.kind,
                                                              defaults={"mode": form.cleaned_data[entry.kind.value]})
                digest.hour, digest.time_zone = form.cleaned_data["hour"], form.cleaned_data["time_zone"]
                digest.save()
                digests.reschedule(user)
            messages.success(request, "Saved how you hear of each kind of notice.")
            return redirect("notice-preferences")
        return render(request, "notify/preferences.html", {"form": form}, status=400)
    return render(request, "notify/preferences.html", {"form": form})


@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no CSRF token; the signed token is the check
def unsubscribe(request, token):
    """Turn one kind of e-mail off for the user the signed token names, without signing in. GET shows a
    button (a link scanner's GET changes nothing); POST, from it or from the mail client, turns it off."""
    found = tokens.read(token)
    if found is None or found[1] not in NoticeKind.values or not get_user_model().objects.filter(pk=found[0]).exists():
        raise Http404("This unsubscribe link is not valid.")
    user_id, kind = found
    label = NoticeKind(kind).label
    if request.method == "POST":
        NoticePreference.objects.update_or_create(user_id=user_id, kind=kind, defaults={"mode": Mode.OFF})
    return render(request, "notify/unsubscribed.html", {"kind": label, "done": request.method == "POST"})
