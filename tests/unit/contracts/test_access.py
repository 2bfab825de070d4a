"""Portal access without AWS: magic links (single use, 15 minutes, only a hash kept), where a sign-in may
lead, and the session cookie's signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from starling.contracts.access import (
    MAGIC_LINK_LIFETIME,
    LinkState,
    MagicLink,
    Session,
    cookie_value,
    hash_secret,
    link_state,
    magic_link_url,
    new_magic_link,
    read_session,
    safe_next,
    sign_session,
)
from starling.contracts.portal import open_magic_link

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KEY = b"k" * 64


class MemoryLinks:
    """The magic link store's rule (a link is used once, while valid) on a dict."""

    def __init__(self) -> None:
        self.links: dict[str, MagicLink] = {}

    def save(self, link: MagicLink) -> None:
        self.links[link.token_hash] = link

    def use(self, token_hash: str, at: datetime) -> tuple[LinkState, MagicLink | None]:
        link = self.links.get(token_hash)
        state = link_state(link, at)
        if state is LinkState.OPENED and link is not None:
            self.links[token_hash] = MagicLink(**{**link.__dict__, "used_at": at})
        return state, link


def test_a_new_link_keeps_only_the_hash_of_its_secret_and_works_for_15_minutes() -> None:
    link, secret = new_magic_link("brd_1", "ptn_1", "/portal/links", NOW)
    assert link.token_hash == hash_secret(secret) and secret not in repr(link)
    assert len(secret) >= 43  # 32 random bytes
    assert link.valid_until - link.created_at == MAGIC_LINK_LIFETIME == timedelta(minutes=15)
    assert magic_link_url("https://go.example/", secret) == f"https://go.example/portal/auth?token={secret}"


def test_a_link_opens_one_session_then_says_it_was_used() -> None:
    store = MemoryLinks()
    link, secret = new_magic_link("brd_1", "ptn_1", None, NOW)
    store.save(link)
    first = open_magic_link(store, secret, NOW + timedelta(minutes=1))
    assert first.state is LinkState.OPENED and first.session is not None
    assert (first.session.brand_id, first.session.partner_id, first.next_path) == (
        "brd_1",
        "ptn_1",
        "/portal",
    )
    again = open_magic_link(store, secret, NOW + timedelta(minutes=2))
    assert again.state is LinkState.USED and again.session is None


def test_a_link_after_15_minutes_is_expired_and_an_unknown_one_is_unknown() -> None:
    store = MemoryLinks()
    link, secret = new_magic_link("brd_1", "ptn_1", None, NOW)
    store.save(link)
    assert open_magic_link(store, secret, NOW + timedelta(minutes=15)).state is LinkState.EXPIRED
    assert open_magic_link(store, "not-a-link", NOW).state is LinkState.UNKNOWN
    assert open_magic_link(store, "", NOW).state is LinkState.UNKNOWN


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/portal/contracts/ctr_abc", "/portal/contracts/ctr_abc"),
        ("/portal", "/portal"),
        ("/portal/onboarding/tax?kind=w8ben", "/portal/onboarding/tax?kind=w8ben"),
        ("https://evil.example/portal", "/portal"),
        ("//evil.example/portal", "/portal"),
        ("/portal//evil.example", "/portal"),
        ("/portal/../v1/brand", "/portal"),
        ("/portalx", "/portal"),
        ("/v1/brand", "/portal"),
        ("javascript:alert(1)", "/portal"),
        (None, "/portal"),
        ("/portal/" + "a" * 400, "/portal"),
    ],
)
def test_a_sign_in_leads_only_within_the_portal(asked: str | None, goes_to: str) -> None:
    assert safe_next(asked) == goes_to


def test_a_signed_session_reads_back_and_a_changed_one_does_not() -> None:
    session = Session("brd_1", "ptn_1", int((NOW + timedelta(days=7)).timestamp()))
    value = sign_session(session, KEY)
    assert read_session(value, KEY, NOW) == session
    signature = value.split(".")[1]
    other = sign_session(Session("brd_1", "ptn_2", session.expires_at), KEY).split(".")[0]
    assert read_session(f"{other}.{signature}", KEY, NOW) is None  # another partner's payload
    assert read_session(value, b"another key", NOW) is None
    assert read_session(value + "x", KEY, NOW) is None
    for junk in (None, "", "abc", "a.b.c", "." * 2000):
        assert read_session(junk, KEY, NOW) is None


def test_an_expired_session_is_no_session() -> None:
    session = Session("brd_1", "ptn_1", int(NOW.timestamp()))
    assert read_session(sign_session(session, KEY), KEY, NOW) is None


def test_the_session_cookie_is_found_among_the_request_s_cookies() -> None:
    assert cookie_value(["a=1", "starling_portal=v.s"]) == "v.s"
    assert cookie_value(None, "a=1; starling_portal=x.y") == "x.y"
    assert cookie_value(["starling_portalx=1"]) is None
