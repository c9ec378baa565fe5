"""The e-mails: one per notice, or one daily digest of many; plain text with an HTML alternative.

Each carries the notice's words and a link, nothing of the case beyond what the recipient may open
there, and a one-click unsubscribe link (RFC 8058) for the kind of notice it is.
"""
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .unsubscribe import unsubscribe_url


def path(notice):
    """Where a notice leads in the app: its case, its batch, or the notices page."""
    if notice.case_id:
        return reverse("case", args=[notice.case.case_number])
    if notice.batch_id:
        return reverse("batch", args=[notice.batch_id])
    return reverse("notifications")


def link(notice):
    """The same, absolute, for an e-mail or a webhook event."""
    return settings.SITE_URL + path(notice)


def message_for(message, connection=None):
    """The e-mail of one outbox message. Its Message-ID is the message's: sent twice, it is one mail."""
    notice = message.notice
    stop = unsubscribe_url(message.user_id, notice.kind)
    context = {"notice": notice, "link": link(notice), "unsubscribe": stop, "user": message.user,
               "preferences": settings.SITE_URL + reverse("notice-preferences")}
    return mail(message.user.email, f"[fms-review] {notice.summary}", "notify/notice", context,
                message_id=f"<notice-{message.pk}@{settings.EMAIL_DOMAIN}>", unsubscribe=stop,
                connection=connection)


def digest_for(user, messages, connection=None):
    """One e-mail listing `messages` (the user's digest), keyed by the first of them."""
    entries = [{"notice": m.notice, "link": link(m.notice)} for m in messages]
    context = {"entries": entries, "user": user,
               "preferences": settings.SITE_URL + reverse("notice-preferences")}
    return mail(user.email, f"[fms-review] Your daily digest: {len(entries)} notices", "notify/digest", context,
                message_id=f"<digest-{messages[0].pk}@{settings.EMAIL_DOMAIN}>", connection=connection)


def mail(to, subject, template, context, *, message_id, unsubscribe=None, connection=None):
    headers = {"Message-ID": message_id}
    if unsubscribe:
        headers |= {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    email = EmailMultiAlternatives(subject[:250], render_to_string(f"{template}.txt", context), to=[to],
                                   headers=headers, connection=connection)
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email
