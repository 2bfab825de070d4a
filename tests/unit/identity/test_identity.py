"""Brands, API keys and resolving the caller, without AWS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from starling.identity import service as identity
from starling.identity.model import (
    DEFAULT_TIER_THRESHOLDS,
    Area,
    Principal,
    Role,
    apply_brand_changes,
    can_read,
    can_write,
    generate_api_key,
    hash_api_key,
    new_brand,
    slugify,
    validate_slug,
)
from starling.shared.errors import Conflict, Invalid, NotFound, Unauthorized
from tests.fakes.identity import InMemoryIdentityRepository

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_generated_key_has_the_documented_shape_and_is_random() -> None:
    keys = {generate_api_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert key.startswith("stk_live_") and len(key) == 33 and key[9:].isalnum()


def test_only_the_sha256_of_a_key_is_kept() -> None:
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme")
    stored = repo.keys[created.owner_key.key.key_id]
    assert stored.key_hash == hash_api_key(created.owner_key.raw_key)
    assert created.owner_key.raw_key not in repr(stored)


def test_a_new_brand_gets_an_owner_key_that_resolves_to_it() -> None:
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme Outdoors")
    caller = identity.resolve_principal(repo, f"Bearer {created.owner_key.raw_key}")
    assert caller == Principal(created.brand.brand_id, Role.OWNER, created.owner_key.key.key_id)
    assert created.brand.slug == "acme-outdoors"


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Token stk_live_x", "Bearer not-a-key", "bearer stk_live_" + "B" * 24]
)
def test_anything_but_a_known_active_key_is_unauthorized(header: str | None) -> None:
    repo = InMemoryIdentityRepository()
    identity.create_brand(repo, "Acme")
    with pytest.raises(Unauthorized):
        identity.resolve_principal(repo, header)


def test_a_revoked_key_no_longer_resolves() -> None:
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme")
    owner = identity.resolve_principal(repo, f"Bearer {created.owner_key.raw_key}")
    extra = identity.create_api_key(repo, created.brand.brand_id, "ci", Role.MANAGER)
    revoked = identity.revoke_api_key(repo, owner, extra.key.key_id)
    assert revoked.revoked_at is not None
    with pytest.raises(Unauthorized):
        identity.resolve_principal(repo, f"Bearer {extra.raw_key}")


def test_a_key_cannot_revoke_itself() -> None:
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme")
    owner = identity.resolve_principal(repo, f"Bearer {created.owner_key.raw_key}")
    with pytest.raises(Conflict):
        identity.revoke_api_key(repo, owner, owner.key_id)


def test_revoking_another_brand_s_key_is_not_found() -> None:
    repo = InMemoryIdentityRepository()
    a = identity.create_brand(repo, "Brand A")
    b = identity.create_brand(repo, "Brand B")
    b_owner = identity.resolve_principal(repo, f"Bearer {b.owner_key.raw_key}")
    with pytest.raises(NotFound):
        identity.revoke_api_key(repo, b_owner, a.owner_key.key.key_id)


def test_a_key_for_a_brand_that_does_not_exist_is_refused() -> None:
    with pytest.raises(NotFound):
        identity.create_api_key(InMemoryIdentityRepository(), "brd_missing", "x", Role.VIEWER)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_key_needs_a_sensible_name(name: str) -> None:
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme")
    with pytest.raises(Invalid):
        identity.create_api_key(repo, created.brand.brand_id, name, Role.VIEWER)


@pytest.mark.parametrize(
    "slug", ["ab", "-abc", "abc-", "Abc", "a b c", "x" * 41, "v1", "portal", "apply", "p"]
)
def test_bad_or_reserved_slugs_are_refused(slug: str) -> None:
    with pytest.raises(Invalid):
        validate_slug(slug)


def test_slugify_makes_a_valid_slug_from_any_name() -> None:
    for name in ["Acme", "Ünïcode Brand!!", "A", "   ", "x" * 200]:
        assert validate_slug(slugify(name))


def test_brand_changes_are_normalised_and_checked_field_by_field() -> None:
    brand = new_brand("Acme", NOW)
    changed = apply_brand_changes(
        brand, {"allowed_domains": ["Shop.Acme.com.", "acme.com", "acme.com"], "fallback_url": None}
    )
    assert changed.allowed_domains == ("shop.acme.com", "acme.com")
    for bad in (
        {"allowed_domains": ["localhost"]},
        {"allowed_domains": ["https://acme.com"]},
        {"fallback_url": "ftp://acme.com"},
        {"utm_defaults": {"utm_source": "a", "ref": "b"}},
        {"tier_thresholds": {**DEFAULT_TIER_THRESHOLDS, "nano": 1}},
        {"tier_thresholds": {**DEFAULT_TIER_THRESHOLDS, "mid": 10_000}},
        {"name": " "},
    ):
        with pytest.raises(Invalid):
            apply_brand_changes(brand, bad)


def test_a_brand_logo_and_terms_are_https_urls_and_can_be_cleared() -> None:
    # Given a brand that sets its logo and terms for the application form
    brand = new_brand("Acme", NOW)
    changed = apply_brand_changes(
        brand, {"logo_url": "https://cdn.acme.com/logo.png", "terms_url": "https://acme.com/terms"}
    )
    assert (changed.logo_url, changed.terms_url) == (
        "https://cdn.acme.com/logo.png",
        "https://acme.com/terms",
    )
    # Then null clears them, and a plain-http or script URL is refused naming the field
    assert apply_brand_changes(changed, {"logo_url": None, "terms_url": None}) == brand
    for field, url in (("logo_url", "http://acme.com/logo.png"), ("terms_url", "javascript:alert(1)")):
        with pytest.raises(Invalid) as caught:
            apply_brand_changes(brand, {field: url})
        assert caught.value.details == {field: url}


def test_updating_a_brand_to_a_taken_slug_conflicts() -> None:
    repo = InMemoryIdentityRepository()
    a = identity.create_brand(repo, "Brand A")
    identity.create_brand(repo, "Brand B")
    with pytest.raises(Conflict):
        identity.update_brand(repo, a.brand.brand_id, {"slug": "brand-b"})


@pytest.mark.parametrize(
    ("role", "area", "write", "allowed"),
    [
        (Role.OWNER, Area.API_KEYS, True, True),
        (Role.MANAGER, Area.PARTNERS, True, True),
        (Role.MANAGER, Area.LINKS, True, True),
        (Role.MANAGER, Area.PAYOUTS, True, False),
        (Role.MANAGER, Area.API_KEYS, False, False),
        (Role.FINANCE, Area.PAYOUTS, True, True),
        (Role.FINANCE, Area.REPORTS, False, True),
        (Role.FINANCE, Area.PARTNERS, True, False),
        (Role.VIEWER, Area.PARTNERS, False, True),
        (Role.VIEWER, Area.PARTNERS, True, False),
        (Role.VIEWER, Area.BRAND, True, False),
        (Role.VIEWER, Area.AUDIT, False, False),
    ],
)
def test_each_role_can_do_what_design_md_gives_it(role: Role, area: Area, write: bool, allowed: bool) -> None:
    assert (can_write(role, area) if write else can_read(role, area)) is allowed
