"""An in-memory IdentityRepository; tests/integration/identity/test_identity_repository_contract.py holds it
to the same behaviour as the DynamoDB one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from starling.identity.model import ApiKey, AuditEntry, Brand, Role
from starling.shared.errors import Conflict, NotFound


class InMemoryIdentityRepository:
    def __init__(self) -> None:
        self.brands: dict[str, Brand] = {}
        self.keys: dict[str, ApiKey] = {}
        self.audit: list[AuditEntry] = []

    def create_brand(self, brand: Brand) -> None:
        if any(b.slug == brand.slug for b in self.brands.values()):
            raise Conflict("taken")
        self.brands[brand.brand_id] = brand

    def brand_ids(self) -> list[str]:
        return sorted(self.brands)

    def get_brand(self, brand_id: str) -> Brand:
        if brand_id not in self.brands:
            raise NotFound("No such brand.")
        return self.brands[brand_id]

    def find_brand_by_slug(self, slug: str) -> Brand | None:
        return next((b for b in self.brands.values() if b.slug == slug), None)

    def save_brand(self, brand: Brand, previous_slug: str) -> None:
        if any(b.slug == brand.slug and b.brand_id != brand.brand_id for b in self.brands.values()):
            raise Conflict("taken")
        self.brands[brand.brand_id] = brand

    def add_api_key(self, key: ApiKey) -> None:
        self.keys[key.key_id] = key

    def list_api_keys(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[ApiKey], str | None]:
        """In key id order, as DynamoDB's sort key orders them; the cursor is the last key id given."""
        ordered = sorted((k for k in self.keys.values() if k.brand_id == brand_id), key=lambda k: k.key_id)
        after = [k for k in ordered if cursor is None or k.key_id > cursor]
        page = after[:limit]
        return page, page[-1].key_id if len(after) > limit else None

    def get_api_key(self, brand_id: str, key_id: str) -> ApiKey:
        key = self.keys.get(key_id)
        if key is None or key.brand_id != brand_id:
            raise NotFound("No such API key.")
        return key

    def revoke_api_key(self, key: ApiKey, at: datetime) -> None:
        self.keys[key.key_id] = replace(key, revoked_at=at)

    def find_active_key(self, key_hash: str) -> tuple[str, str, Role] | None:
        for key in self.keys.values():
            if key.key_hash == key_hash and key.active:
                return key.brand_id, key.key_id, key.role
        return None

    def append_audit(self, entry: AuditEntry) -> None:
        self.audit.append(entry)

    def audit_page(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        """Newest first, as the sort key (time, then id) orders them; the cursor is the last entry's id."""
        ordered = sorted(
            (e for e in self.audit if e.brand_id == brand_id), key=lambda e: (e.at, e.entry_id), reverse=True
        )
        ids = [e.entry_id for e in ordered]
        start = ids.index(cursor) + 1 if cursor in ids else 0
        page = ordered[start : start + limit]
        return page, page[-1].entry_id if len(ordered) > start + limit else None
