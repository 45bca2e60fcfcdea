"""Nothing leaked: every hop of every fetch (URLs typed at the CLI, feed items, the page's URLs) is checked before
it is connected to. An "internal" server records every request; none may reach it while allow_private_urls is
off, however the redirect to it is spelled, directly or through an http_proxy that plays a public host."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from conftest import FIXTURES, given_parts
from security_kit import (PUBLIC_HOST, SECRET, assert_one_line, feeds_snapshot, index_snapshot, internal_server,
                          proxy_env, proxy_playing_public_host, public_site, redirect_path, stored_text)

runner = CliRunner()
FAST = ["--set", "fetch_timeout=2", "--set", "fetch_deadline=4"]

# name -> (Location the public site answers with ({port}: the internal server), words the error line contains)
REDIRECTS = {
    "302 to 127.0.0.1": ("http://127.0.0.1:{port}/secret", "allow_private_urls"),
    "scheme-relative //127.0.0.1": ("//127.0.0.1:{port}/secret", "allow_private_urls"),
    "upper-case HTTP://": ("HTTP://127.0.0.1:{port}/secret", "allow_private_urls"),
    "mixed-case hTtP:// and host": ("hTtP://LocalHost:{port}/secret", "allow_private_urls"),
    "localhost by name": ("http://localhost:{port}/secret", "allow_private_urls"),
    "IPv6 loopback": ("http://[::1]:{port}/secret", "allow_private_urls"),
    "IPv4-mapped IPv6": ("http://[::ffff:127.0.0.1]:{port}/secret", "allow_private_urls"),
    "IPv4-mapped IPv6 in hex": ("http://[::ffff:7f00:1]:{port}/secret", "allow_private_urls"),
    "decimal IPv4": ("http://2130706433:{port}/secret", "allow_private_urls"),
    "hex IPv4": ("http://0x7f000001:{port}/secret", "allow_private_urls"),
    "octal IPv4": ("http://0177.0.0.1:{port}/secret", "allow_private_urls"),
    "short IPv4": ("http://127.1:{port}/secret", "allow_private_urls"),
    "0.0.0.0": ("http://0.0.0.0:{port}/secret", "allow_private_urls"),
    "10.x": ("http://10.0.0.1:{port}/secret", "private network"),
    "192.168.x": ("http://192.168.1.1/secret", "private network"),
    "172.16.x": ("http://172.16.0.1/secret", "private network"),
    "cloud metadata 169.254.169.254": ("http://169.254.169.254/latest/meta-data/", "link-local"),
    "carrier-grade NAT 100.64.x": ("http://100.64.0.1/secret", "non-public"),
    "IPv6 unique local": ("http://[fc00::1]/secret", "private"),
    "IPv6 link-local": ("http://[fe80::1]/secret", "link-local"),
    "NAT64 of 127.0.0.1": ("http://[64:ff9b::7f00:1]:{port}/secret", "allow_private_urls"),
    "multicast": ("http://224.0.0.1/secret", "multicast"),
    "user@ in the redirect": ("http://user:pw@127.0.0.1:{port}/secret", "user names"),
    "file: scheme": ("file:///etc/passwd", "only http(s)"),
    "gopher: scheme": ("gopher://127.0.0.1:{port}/_GET", "only http(s)"),
    "ftp: scheme": ("ftp://127.0.0.1:{port}/x", "only http(s)"),
    "javascript: scheme": ("javascript:alert(1)", "only http(s)"),
    "data: scheme": ("data:text/html,<p>hi</p>", "only http(s)"),
}
STATUSES = {"301": 301, "303": 303, "307": 307, "308": 308}


@pytest.fixture(scope="module")
def seeded_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("leak") / "index"
    result = runner.invoke(app, ["--index", str(index), "ingest", "-q", str(FIXTURES / "articles")], obj=given_parts())
    assert result.exit_code == 0, result.output
    return index


@pytest.fixture(scope="module")
def internal():
    with internal_server() as found:
        yield found


@pytest.fixture(scope="module")
def site():
    with public_site() as base:
        yield base


@pytest.fixture(scope="module")
def proxy():
    with proxy_playing_public_host() as found:
        yield found


def ingest(index, url, env=None):
    return runner.invoke(app, ["--index", str(index), *FAST, "ingest", "-q", url], env=env, obj=given_parts())


def assert_no_leak(internal_requests: list[str], before: int, index, snapshot) -> None:
    assert internal_requests[before:] == [], "the internal server was asked for " + repr(internal_requests[before:])
    assert index_snapshot(index) == snapshot


@pytest.mark.parametrize("name", sorted(REDIRECTS))
def test_a_typed_url_that_redirects_inward_is_stopped_before_the_hop(name, seeded_index, internal, site):
    port, seen = internal
    location, reason = REDIRECTS[name]
    before, snapshot = len(seen), index_snapshot(seeded_index)
    result = ingest(seeded_index, site + redirect_path(location.format(port=port)))
    assert_one_line(result, reason)
    assert_no_leak(seen, before, seeded_index, snapshot)


@pytest.mark.parametrize("name", sorted(REDIRECTS))
def test_a_public_host_behind_a_proxy_that_redirects_inward_is_stopped(name, seeded_index, internal, proxy):
    port, seen = internal
    proxy_url, asked = proxy
    location, reason = REDIRECTS[name]
    before, asked_before, snapshot = len(seen), len(asked), index_snapshot(seeded_index)
    result = ingest(seeded_index, f"http://{PUBLIC_HOST}" + redirect_path(location.format(port=port)), proxy_env(proxy_url))
    assert_one_line(result, reason)
    assert_no_leak(seen, before, seeded_index, snapshot)
    assert all(PUBLIC_HOST in url for url in asked[asked_before:]), asked[asked_before:]  # the proxy was not asked either


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_every_redirect_status_is_checked(status, seeded_index, internal, site):
    port, seen = internal
    before, snapshot = len(seen), index_snapshot(seeded_index)
    result = ingest(seeded_index, site + redirect_path(f"http://127.0.0.1:{port}/secret", STATUSES[status]))
    assert_one_line(result, "allow_private_urls")
    assert_no_leak(seen, before, seeded_index, snapshot)


def test_a_chain_that_turns_inward_on_its_third_hop_is_stopped(seeded_index, internal, site):
    port, seen = internal
    inward = redirect_path(f"http://127.0.0.1:{port}/secret")
    chain = redirect_path(site + redirect_path(site + inward, 307), 301)
    before, snapshot = len(seen), index_snapshot(seeded_index)
    assert_one_line(ingest(seeded_index, site + chain), "allow_private_urls")
    assert_no_leak(seen, before, seeded_index, snapshot)


def test_a_redirect_without_location_is_one_line(seeded_index, site):
    assert_one_line(ingest(seeded_index, site + "/to?status=302"), "without a Location")


def test_redirects_on_the_typed_host_are_followed(seeded_index, site, tmp_path):
    """The URL the user typed may be private, and so may redirects that stay on its host and port."""
    index = tmp_path / "index"
    result = runner.invoke(app, ["--index", str(index), *FAST, "ingest", "-q", site + redirect_path("/article")], obj=given_parts())
    assert result.exit_code == 0 and "1 new" in result.stdout, result.output


def test_allow_private_urls_lets_the_redirect_through(internal, site, tmp_path):
    port, seen = internal
    before = len(seen)
    result = runner.invoke(app, ["--index", str(tmp_path / "index"), *FAST, "--set", "allow_private_urls=true",
                                 "ingest", "-q", site + redirect_path(f"http://127.0.0.1:{port}/secret")], obj=given_parts())
    assert result.exit_code == 0, result.output
    assert seen[before:] == ["/secret"]  # the setting is honoured: the control for the tests above


def feed_items(site_base: str, location: str) -> str:
    import json
    from urllib.parse import quote
    items = [["Ferry fares rise", site_base + redirect_path(location), ""],
             ["Harbor opens", site_base + redirect_path(location),
              "The harbor reopened on Tuesday after repairs to the north pier, the port authority said."]]
    return "/feed?items=" + quote(json.dumps(items), safe="")


@pytest.mark.parametrize("name", ["302 to 127.0.0.1", "scheme-relative //127.0.0.1", "IPv4-mapped IPv6", "decimal IPv4"])
def test_feed_items_behind_a_proxy_never_reach_the_internal_server(name, internal, proxy, tmp_path):
    """The issue's reproduction: a feed's item pages on a public host (played by the proxy) redirect inward.
    The item with a summary is stored from it, and `update` says why its page was skipped."""
    port, seen = internal
    proxy_url, _ = proxy
    index = tmp_path / "index"
    base = ["--index", str(index), *FAST]
    feed = f"http://{PUBLIC_HOST}" + feed_items(f"http://{PUBLIC_HOST}", REDIRECTS[name][0].format(port=port))
    assert runner.invoke(app, [*base, "feeds", "add", feed], obj=given_parts()).exit_code == 0
    before = len(seen)
    result = runner.invoke(app, [*base, "update", "-q"], env=proxy_env(proxy_url), obj=given_parts())
    assert result.exit_code == 1, result.output  # the item with neither page nor summary failed
    assert "1 new" in result.stdout and "1 stored from the feed's summary only: private address" in result.stdout
    assert seen[before:] == []
    assert SECRET not in stored_text(index)
    listing = runner.invoke(app, [*base, "feeds", "list"], obj=given_parts()).stdout
    assert "Harbor Ledger" in listing and "item pages skipped" in listing and "private address" in listing


def test_page_urls_follow_allow_private_urls_on_every_hop(internal, proxy, site, tmp_path):
    """The page's URL box (typed_by_user=False): a private first hop, and a public one redirecting inward."""
    from assistant.ingest.sources import load_articles
    from assistant.settings import Settings
    port, seen = internal
    proxy_url, _ = proxy
    settings = Settings(index_dir=tmp_path / "index", fetch_timeout=2, fetch_deadline=4)
    before = len(seen)
    articles, errors = load_articles([f"http://127.0.0.1:{port}/secret"], settings, typed_by_user=False)
    assert not articles and len(errors) == 1 and "allow_private_urls" in errors[0]
    with pytest.MonkeyPatch.context() as patch:
        for key, value in proxy_env(proxy_url).items():
            patch.setenv(key, value)
        articles, errors = load_articles([f"http://{PUBLIC_HOST}" + redirect_path(f"//127.0.0.1:{port}/secret")],
                                         settings, typed_by_user=False)
    assert not articles and len(errors) == 1 and "allow_private_urls" in errors[0]
    assert seen[before:] == []


def test_a_name_that_resolves_public_then_private_is_caught_at_the_connection(internal, monkeypatch):
    """DNS rebinding: the check sees a public address, the connection would reach 127.0.0.1; the connection's
    own peer check refuses it before the request is written."""
    from assistant.ingest.sources.fetch import fetch
    port, seen = internal
    real = socket.getaddrinfo
    calls = []

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            calls.append(host)
            address = "93.184.216.34" if len(calls) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    from assistant.ingest.sources.common import Limits, LoadError
    before = len(seen)
    with pytest.raises(LoadError, match="allow_private_urls") as caught:
        fetch(f"http://rebind.example:{port}/secret", Limits(timeout=2, deadline=4), allow_private=False)
    assert caught.value.kind == "private address" and len(calls) >= 2
    assert seen[before:] == []


def test_feeds_database_unchanged_by_a_refused_ingest(seeded_index, internal, site):
    port, _ = internal
    before = feeds_snapshot(seeded_index)
    ingest(seeded_index, site + redirect_path(f"http://127.0.0.1:{port}/secret"))
    assert feeds_snapshot(seeded_index) == before


# refused kinds: every redirect typed and through the proxy, the statuses, a chain, no Location, 4 feed items,
# 2 page URLs, DNS rebinding (the typed-host and allow_private_urls tests are the controls)
KINDS = len(REDIRECTS) * 2 + len(STATUSES) + 1 + 1 + 4 + 2 + 1
