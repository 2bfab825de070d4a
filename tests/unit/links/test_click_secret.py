"""One root secret, several keys: click ids, the visitor salt and portal sessions each get their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starling.contracts.access import Session, read_session, sign_session
from starling.links.click_secret import keys_from_secret, portal_session_key

SECRET = '{"key": "root-of-a-deployed-stack"}'
# Issued from SECRET by the code before the portal's key was derived from it: shoppers' URLs carry such ids.
ISSUED_BEFORE = "1.YnJkXzF8bWF5YXxwdG5fMXxzcHJpbmd8MWEwYzQ1MDZjN2J8eWRIaVlGZ0VBQUFB.Sc3FveqQtHtevhvb"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_click_ids_already_in_urls_still_verify_under_the_shared_secret() -> None:
    claims = keys_from_secret(SECRET).click_ids.verify(ISSUED_BEFORE)
    assert (claims.brand_id, claims.slug, claims.partner_id, claims.campaign_id) == (
        "brd_1", "maya", "ptn_1", "spring",
    )  # fmt: skip


def test_the_portal_session_key_is_none_of_the_other_keys_nor_the_root() -> None:
    keys = keys_from_secret(SECRET)
    session_key = portal_session_key(SECRET)
    assert session_key == portal_session_key('{"key": "root-of-a-deployed-stack"}')  # stable across loads
    assert session_key not in {keys.visitor_salt, b"root-of-a-deployed-stack"}
    assert session_key != portal_session_key('{"key": "another stack"}')


def test_a_session_signed_with_any_other_key_of_the_root_is_refused() -> None:
    # Given a session signed with the portal's key, and the same session signed with the visitor salt
    session = Session("brd_1", "ptn_1", int((NOW + timedelta(days=7)).timestamp()))
    session_key = portal_session_key(SECRET)
    forged = sign_session(session, keys_from_secret(SECRET).visitor_salt)
    # Then only the first is a session, and the root itself signs nothing the portal accepts
    assert read_session(sign_session(session, session_key), session_key, NOW) == session
    assert read_session(forged, session_key, NOW) is None
    assert read_session(sign_session(session, b"root-of-a-deployed-stack"), session_key, NOW) is None
