"""The shop snippet stays small enough to add to every page, and keeps the click for the default window."""

from __future__ import annotations

from functions.api.routes.snippet import MAX_BYTES, SNIPPET
from starling.conversions.attribution import DEFAULT_WINDOW_DAYS


def test_the_snippet_is_under_two_kilobytes() -> None:
    assert len(SNIPPET.encode()) < MAX_BYTES == 2048


def test_the_snippet_keeps_the_click_for_the_default_window_unless_the_tag_says() -> None:
    assert f"||{DEFAULT_WINDOW_DAYS})" in SNIPPET
    assert 'a("data-days")' in SNIPPET
    assert "SameSite=Lax" in SNIPPET and '"; Secure"' in SNIPPET
    assert "/cart/update.js" in SNIPPET and "attributes:{stclid:id}" in SNIPPET
