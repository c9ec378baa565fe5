"""Who is asking: the client's address, as the proxies this deployment trusts report it.

Every proxy in front of the app appends the address it saw to X-Forwarded-For; what came before that
is whatever the client wrote. So behind TRUSTED_PROXIES proxies the client is the entry that many from
the right, and with none trusted it is REMOTE_ADDR. The sign-in lock-out (django-axes) and the token
endpoint's throttle both ask here, so neither can be dodged with a forged header nor locks out
everyone behind the proxy at once.
"""
from django.conf import settings


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Fewer entries than trusted proxies: the request did not come through them all; trust the socket.
    return forwarded[-trusted] if len(forwarded) >= trusted else remote
