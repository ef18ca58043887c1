"""Outbound URLs that operators give reach public addresses only (no SSRF)."""

import pytest

from chassis.http.destinations import Destinations, UnsafeDestination

PUBLIC_ONLY = Destinations(private_allowed=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8001/api/v1/users/auth/keys/rotate",  # loopback
        "http://localhost:5432/",  # a name for loopback
        "http://10.0.3.7/hook",  # private
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata endpoint
        "http://[::1]/hook",
        "http://[fd00::1]/hook",  # unique local
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",  # carrier-grade NAT
    ],
)
async def test_a_url_to_the_platforms_own_network_is_refused(url):
    with pytest.raises(UnsafeDestination, match="not a public address"):
        await PUBLIC_ONLY.check(url)


async def test_the_refusal_says_what_a_name_resolved_to():
    with pytest.raises(UnsafeDestination, match=r"^localhost resolves to (127\.0\.0\.1|::1),"):
        await PUBLIC_ONLY.check("http://localhost:8001/")


async def test_a_public_address_passes():
    await PUBLIC_ONLY.check("https://93.184.215.14/hooks/flywheel")
    await PUBLIC_ONLY.check("https://[2606:4700::6810:84e5]/hooks")


async def test_a_host_that_does_not_resolve_is_refused():
    with pytest.raises(UnsafeDestination, match="does not resolve"):
        await PUBLIC_ONLY.check("https://no-such-host.invalid/hook")


async def test_named_networks_are_let_through_and_development_lets_everything_through():
    partners = Destinations(private_allowed=False, networks=["10.20.0.0/16"])
    await partners.check("http://10.20.5.1/hook")
    with pytest.raises(UnsafeDestination):
        await partners.check("http://10.21.5.1/hook")
    await Destinations(private_allowed=True).check("http://127.0.0.1:9/hook")
