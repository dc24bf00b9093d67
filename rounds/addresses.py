"""The client's address as the trusted reverse proxies in front of the app saw it."""

import ipaddress

from django.conf import settings


def client_address(request):
    """Return the IP address of the client that sent ``request``.

    Behind ``settings.TRUSTED_PROXIES`` reverse proxies, REMOTE_ADDR is the nearest proxy's
    and each proxy appends the address it was reached from to X-Forwarded-For, so the client
    is that many entries from the right; entries further left come from the client and could
    be anything. A request with fewer entries did not come through the proxies: REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
