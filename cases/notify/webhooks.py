"""Webhook deliveries: a JSON event, signed, POSTed to the subscription's URL, each try logged.

Signature (README, "Webhooks"): header `FMS-Signature: t=<unix time>,v1=<hex>` where the hex is
HMAC-SHA256 under the subscription's secret of "<t>." followed by the body's bytes; the receiver
recomputes it and refuses an old timestamp (the README's `verify`, which tests/test_webhooks.py runs). `FMS-Event-Id` is the event's id, the same on every retry
and redelivery: the receiver drops one it has seen.

Outside development the URL must be https and must not reach the server's own networks: the host's
addresses are resolved and each checked (loopback, private, link-local, reserved) before connecting,
and the connection goes to the address that was checked, so a DNS answer cannot change in between.
Redirects are not followed.
"""
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from ..models import WebhookAttempt
from .emails import link

TIMEOUT_SECONDS = 10


class Refused(Exception):
    """The URL may not be called (scheme or address)."""


def event(message):
    """The JSON body of a message's event: its id, kind and words, and the case as its audience sees it."""
    notice = message.notice
    case = notice.case
    return {
        "id": f"evt_{message.pk}",
        "type": notice.kind,
        "created": notice.at,
        "summary": notice.summary,
        "detail": notice.detail,
        "case": {"number": case.case_number, "stage": case.stage, "country": case.country_id,
                 "joint_request": case.joint_request.reference if case.joint_request_id else None,
                 "url": link(notice)},
    }


def signature(secret, timestamp, body):
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def url_problem(url):
    """Why a subscription may not have `url` (scheme; a literal address the guard refuses), or None."""
    parts = urlsplit(url)
    if parts.scheme not in allowed_schemes():
        return "The URL must start with https://." if "http" not in allowed_schemes() else "Use http or https."
    if not parts.hostname:
        return "The URL has no host."
    try:
        if refused_address(ipaddress.ip_address(parts.hostname)):
            return "The URL may not point at a private or loopback address."
    except ValueError:
        pass  # a name: its addresses are checked at each delivery
    return None


def allowed_schemes():
    return {"https"} if settings.WEBHOOK_HTTPS_ONLY else {"http", "https"}


def refused_address(address):
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return False
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified)


def checked_address(host, port):
    """An address of `host` the guard lets us call; Refused if any of its addresses is refused."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Refused(f"{host} does not resolve ({error}).") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if bad := [str(a) for a in addresses if refused_address(a)]:
        raise Refused(f"{host} resolves to an address webhooks may not call ({', '.join(bad)}).")
    return str(addresses[0])


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate checked against the URL's host name."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(message, log):
    """POST the message's event to its subscription; append the try to `log` (WebhookAttempts the caller
    saves); raise unless the answer is 2xx."""
    subscription = message.subscription
    body = json.dumps(event(message), cls=DjangoJSONEncoder).encode()
    started = time.monotonic()
    status, error = None, ""
    try:
        status = send(subscription.url, body, {
            "Content-Type": "application/json",
            "User-Agent": "fms-review-webhooks/1",
            "FMS-Event-Id": f"evt_{message.pk}",
            "FMS-Event-Type": message.notice.kind,
            "FMS-Signature": signature(subscription.secret, int(time.time()), body),
        })
        if not 200 <= status < 300:
            error = f"The receiver answered {status}."
    except (OSError, http.client.HTTPException, Refused) as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    log.append(WebhookAttempt(message=message, at=timezone.now(), status_code=status, error=error,
                              latency_ms=round((time.monotonic() - started) * 1000)))
    if error:
        raise Refused(error) if status is None else RuntimeError(error)


def send(url, body, headers):
    parts = urlsplit(url)
    if problem := url_problem(url):
        raise Refused(problem)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = checked_address(parts.hostname, port)
    kind = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = kind(parts.hostname, port, address, timeout=TIMEOUT_SECONDS)
    try:
        path = parts.path or "/"
        connection.request("POST", path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
