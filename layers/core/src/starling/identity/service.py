"""Brands, API keys and resolving a key to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starling.identity.model import (
    ApiKey,
    AuditEntry,
    Brand,
    IdentityRepository,
    Principal,
    Role,
    apply_brand_changes,
    hash_api_key,
    looks_like_api_key,
    new_api_key,
    new_brand,
)
from starling.shared import clock
from starling.shared.errors import Conflict, Unauthorized
from starling.shared.ids import new_id
from starling.shared.merge_patch import merge_fields
from starling.shared.paging import clamp_limit


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw_key: str


@dataclass(frozen=True)
class CreatedBrand:
    brand: Brand
    owner_key: CreatedKey


def create_brand(
    repo: IdentityRepository, name: str, slug: str | None = None, **settings: Any
) -> CreatedBrand:
    """A new brand with its first owner key."""
    brand = new_brand(name, clock.now(), slug)
    if settings:
        brand = apply_brand_changes(brand, settings)
    repo.create_brand(brand)
    owner_key = create_api_key(repo, brand.brand_id, "owner", Role.OWNER)
    return CreatedBrand(brand=brand, owner_key=owner_key)


BRAND_OBJECT_SETTINGS = frozenset({"utm_defaults", "tier_thresholds"})


def update_brand(repo: IdentityRepository, brand_id: str, changes: dict[str, Any]) -> Brand:
    """PATCH /v1/brand as a JSON Merge Patch: the object settings merge key by key (null removes a key),
    lists such as allowed_domains are replaced whole."""
    current = repo.get_brand(brand_id)
    merged = merge_fields(
        {name: getattr(current, name) for name in BRAND_OBJECT_SETTINGS}, changes, BRAND_OBJECT_SETTINGS
    )
    updated = apply_brand_changes(current, merged)
    if updated != current:
        repo.save_brand(updated, previous_slug=current.slug)
    return updated


def get_brand(repo: IdentityRepository, brand_id: str) -> Brand:
    return repo.get_brand(brand_id)


def list_api_keys(
    repo: IdentityRepository, brand_id: str, limit: int | None, cursor: str | None
) -> tuple[list[ApiKey], str | None]:
    """A page of the brand's keys, revoked ones included."""
    return repo.list_api_keys(brand_id, clamp_limit(limit), cursor)


def create_api_key(repo: IdentityRepository, brand_id: str, name: str, role: Role) -> CreatedKey:
    repo.get_brand(brand_id)  # NotFound for a brand that does not exist
    key, raw = new_api_key(brand_id, name, role, clock.now())
    repo.add_api_key(key)
    return CreatedKey(key=key, raw_key=raw)


def revoke_api_key(repo: IdentityRepository, principal: Principal, key_id: str) -> ApiKey:
    key = repo.get_api_key(principal.brand_id, key_id)
    if key.key_id == principal.key_id:
        raise Conflict("A key cannot revoke itself; use another owner key.", {"key_id": key_id})
    if key.active:
        repo.revoke_api_key(key, clock.now())
        key = repo.get_api_key(principal.brand_id, key_id)
    return key


def record_audit(
    repo: IdentityRepository, principal: Principal, action: str, subject: str, fields: tuple[str, ...]
) -> AuditEntry:
    """Append what `principal` did to the brand's audit trail: the action, its subject and the kinds of data
    (field names) it concerned; never the data."""
    entry = AuditEntry(
        entry_id=new_id("aud"), brand_id=principal.brand_id, action=action, subject=subject,
        actor=principal.key_id, at=clock.now(), fields=fields,
    )  # fmt: skip
    repo.append_audit(entry)
    return entry


def audit_log(
    repo: IdentityRepository, brand_id: str, limit: int | None, cursor: str | None
) -> tuple[list[AuditEntry], str | None]:
    """A page of the brand's audit trail, newest first."""
    return repo.audit_page(brand_id, clamp_limit(limit), cursor)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    return token or None


def resolve_principal(repo: IdentityRepository, authorization: str | None) -> Principal:
    """The caller behind an `Authorization: Bearer <key>` header; Unauthorized for anything else."""
    token = bearer_token(authorization)
    if token is None:
        raise Unauthorized("Send an API key as 'Authorization: Bearer stk_live_...'.")
    if not looks_like_api_key(token):
        raise Unauthorized("That is not a Starling API key.")
    found = repo.find_active_key(hash_api_key(token))
    if found is None:
        raise Unauthorized("This API key is unknown or revoked.")
    brand_id, key_id, role = found
    return Principal(brand_id=brand_id, role=role, key_id=key_id)


def identity_store() -> IdentityRepository:
    """The brands' records on DynamoDB (for capabilities above this one)."""
    from starling.identity.repository import DynamoIdentityRepository

    return DynamoIdentityRepository()


def brand_ids() -> list[str]:
    """Every brand's id, on DynamoDB (for monthly jobs above this capability: the payout schedule)."""
    from starling.identity.repository import DynamoIdentityRepository

    return DynamoIdentityRepository().brand_ids()
