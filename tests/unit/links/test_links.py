"""Links: slug rules, destinations on the brand's allowed domains, UTM parameters, and what the redirect
is given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from starling.identity.model import Brand
from starling.links.model import (
    UNAMBIGUOUS_ALPHABET,
    apply_link_changes,
    generate_slug,
    new_link,
    redirect_target,
    validate_slug,
    with_query,
)
from starling.shared.destinations import validate_destination
from starling.shared.errors import Invalid

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BRAND = replace(
    Brand(brand_id="brd_1", name="Acme", slug="acme", created_at=NOW),
    allowed_domains=("shop.acme.com", "acme.com"),
    fallback_url="https://acme.com/",
    utm_defaults={"utm_source": "starling", "utm_medium": "influencer"},
)


def _link(**fields: object):
    return new_link(BRAND, "ptn_1", "https://shop.acme.com/p/1?color=red#top", NOW, slug="maya", **fields)


@pytest.mark.parametrize("slug", ["maya", "Maya-Summer", "spring_2027", "a1b"])
def test_custom_slugs_are_accepted_and_lower_cased(slug: str) -> None:
    assert validate_slug(slug) == slug.lower()


@pytest.mark.parametrize(
    ("slug", "problem"),
    [
        ("v1", "too_short"),
        ("apply", "reserved"),
        ("docs", "reserved"),
        ("health", "reserved"),
        ("x" * 51, "too_long"),
        ("-maya", "malformed"),
        ("ma ya", "malformed"),
        ("ma/ya", "malformed"),
        ("", "empty"),
    ],
)
def test_bad_slugs_are_refused_with_the_problem_named(slug: str, problem: str) -> None:
    with pytest.raises(Invalid) as refused:
        validate_slug(slug)
    assert refused.value.details["slug"] == problem


def test_a_slug_with_a_lookalike_letter_names_the_character() -> None:
    # Given a slug whose second letter is a Cyrillic a, not a Latin one
    with pytest.raises(Invalid) as refused:
        validate_slug("m\u0430ya")
    # Then the message says which character and why
    assert "CYRILLIC SMALL LETTER A" in refused.value.message
    assert refused.value.details == {"slug": "non_ascii", "character": "U+0430"}


def test_generated_slugs_avoid_ambiguous_characters() -> None:
    slugs = {generate_slug() for _ in range(200)}
    assert len(slugs) == 200
    assert all(set(s) <= set(UNAMBIGUOUS_ALPHABET) and len(s) == 7 for s in slugs)
    assert not set("01lio") & set(UNAMBIGUOUS_ALPHABET)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>", "ftp://shop.acme.com/x", "https://evil.com/x",
     "https://shop.acme.com.evil.com/", "https://user:pw@shop.acme.com/", "https://shop.acme.com/a b"],
)  # fmt: skip
def test_destinations_off_the_allowed_domains_or_not_http_are_refused(url: str) -> None:
    with pytest.raises(Invalid):
        validate_destination(url, BRAND.allowed_domains)


def test_a_refused_domain_names_the_allowed_ones() -> None:
    with pytest.raises(Invalid) as refused:
        validate_destination("https://evil.com/", BRAND.allowed_domains)
    assert refused.value.details["allowed_domains"] == ["acme.com", "shop.acme.com"]
    assert "acme.com, shop.acme.com" in refused.value.message


def test_subdomains_of_an_allowed_domain_are_allowed() -> None:
    assert validate_destination("https://eu.shop.acme.com/x", BRAND.allowed_domains)


def test_utm_defaults_apply_and_a_link_overrides_or_drops_them() -> None:
    link = _link(utm={"utm_campaign": "spring", "utm_medium": None})
    target = redirect_target(link, BRAND)
    assert target.url == "https://shop.acme.com/p/1?color=red&utm_campaign=spring&utm_source=starling#top"


def test_device_destinations_carry_the_same_utm_parameters() -> None:
    link = _link(ios_url="https://acme.com/app/ios", android_url="https://acme.com/app/android")
    target = redirect_target(link, BRAND)
    assert target.ios_url == "https://acme.com/app/ios?utm_medium=influencer&utm_source=starling"
    assert target.android_url == "https://acme.com/app/android?utm_medium=influencer&utm_source=starling"
    assert target.fallback_url == "https://acme.com/"


def test_unknown_utm_keys_are_refused() -> None:
    with pytest.raises(Invalid) as refused:
        _link(utm={"utm_sauce": "x"})
    assert refused.value.details == {"utm": ["utm_sauce"]}


def test_an_expiry_in_the_past_is_refused_and_a_future_one_is_kept() -> None:
    with pytest.raises(Invalid):
        _link(expires_at=NOW - timedelta(minutes=1))
    link = _link(expires_at=NOW + timedelta(days=7))
    assert redirect_target(link, BRAND).expires_epoch == int((NOW + timedelta(days=7)).timestamp())


def test_patch_disables_clears_devices_and_rechecks_destinations() -> None:
    link = _link(ios_url="https://acme.com/ios")
    changed = apply_link_changes(link, BRAND, {"disabled": True, "ios_url": None}, NOW)
    assert changed.disabled and changed.ios_url is None
    with pytest.raises(Invalid):
        apply_link_changes(link, BRAND, {"destination_url": "javascript:alert(1)"}, NOW)


def test_query_parameters_of_the_same_name_are_replaced_not_doubled() -> None:
    url = with_query("https://acme.com/?utm_source=old&x=1", {"utm_source": "starling"})
    assert url == "https://acme.com/?x=1&utm_source=starling"
