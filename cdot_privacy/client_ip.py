"""The client's address, read through the trusted reverse proxies only (issue 19, finding 4).

Behind a proxy every request comes from the proxy's address (``REMOTE_ADDR``); the proxy names
the client in ``X-Forwarded-For``. That header is written by whoever sends the request, so it
is believed only for hops that are themselves trusted: read from the right (the entry the
nearest proxy appended), skip addresses inside ``TRUSTED_PROXIES``, and the first address
outside them is the client. A request that does not come from a trusted proxy is its own
client, whatever its headers say. ``TRUSTED_PROXIES`` empty (the default): the header is never
read.

One helper for everything that limits or records by address: the request form's rate limits
(django-ratelimit's ``RATELIMIT_IP_META_KEY``), the login lockout and its log lines (axes's
``AXES_CLIENT_IP_CALLABLE``) and the consent API's rate limit.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _parse(values: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or CIDR range ({exc})"
            ) from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _parse(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as text (``REMOTE_ADDR`` unless a trusted proxy says otherwise)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = trusted_networks()
    nearest = _address(remote)
    if not networks or nearest is None or not _trusted(nearest, networks):
        return remote
    client = str(nearest)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # nonsense a trusted proxy would not write: stop at the last good hop
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
