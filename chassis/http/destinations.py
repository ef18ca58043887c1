"""Where a service may send a request whose URL an operator or partner gave (webhooks):
public addresses only, so that such a URL cannot aim the service at its own network, its
cloud's metadata endpoint or a database port (server-side request forgery).

The host is resolved and every address it resolves to must be global; a literal address
is checked as it is. The check runs when the URL is saved (a 422 naming the field) and
again before each request (DNS may change). Between that lookup and the connection a
hostile DNS server could still answer differently (rebinding); an egress proxy or network
policy is the complete guard, and docs/operations.md says so.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit


class UnsafeDestination(ValueError):
    """The URL's host is not a public address (or does not resolve)."""


class Destinations:
    """The rule for outbound URLs: `private_allowed` (development: webhooks to a local
    receiver) lets anything through; otherwise only global addresses, plus `networks`."""

    def __init__(self, *, private_allowed: bool, networks: Iterable[str] = ()) -> None:
        self.private_allowed = private_allowed
        self.networks = [ipaddress.ip_network(n) for n in networks]

    async def check(self, url: str) -> None:
        if self.private_allowed:
            return
        host = urlsplit(url).hostname
        if not host:
            raise UnsafeDestination("the URL names no host")
        for address in await _addresses(host):
            if not address.is_global and not any(address in n for n in self.networks):
                named = "" if host.strip("[]") == str(address) else f" resolves to {address},"
                raise UnsafeDestination(f"{host}{named} not a public address")


async def _addresses(host: str) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return {ipaddress.ip_address(host)}
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as error:
        raise UnsafeDestination(f"{host} does not resolve ({error})") from None
    # An IPv6 address may carry a zone (fe80::1%eth0): the address is before the `%`.
    return {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
