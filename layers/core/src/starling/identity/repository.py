"""Brands and API keys in DynamoDB."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from starling.identity.items import (
    ApiKeyItem,
    ApiKeyLookupItem,
    AuditItem,
    BrandItem,
    BrandRosterItem,
    BrandSlugItem,
)
from starling.identity.model import ApiKey, AuditEntry, Brand, Role
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import Conflict, NotFound
from starling.shared.keys import brand_pk
from starling.shared.paging import decode_cursor, encode_cursor

BRAND_ROSTER_PK = "BRANDS"


def _slug_item(slug: str, brand_id: str) -> BrandSlugItem:
    return BrandSlugItem(pk=f"BRANDSLUG#{slug}", sk="BRANDSLUG", brand_id=brand_id)


def _lookup_pk(key_hash: str) -> str:
    return f"APIKEY#{key_hash}"


# One mapping per item class: the model to its item, and the item back.
def _to_brand(item: BrandItem) -> Brand:
    return Brand(
        brand_id=item.brand_id,
        name=item.name,
        slug=item.slug,
        created_at=item.created_at,
        allowed_domains=tuple(str(d) for d in item.allowed_domains or ()),
        fallback_url=item.fallback_url,
        logo_url=item.logo_url,
        terms_url=item.terms_url,
        utm_defaults=dict(item.utm_defaults or {}),
        tier_thresholds=dict(item.tier_thresholds or {}),
        target_niches=tuple(str(n) for n in item.target_niches or ()),
        target_countries=tuple(str(c) for c in item.target_countries or ()),
        locale=item.locale,
    )


def _brand_item(brand: Brand) -> BrandItem:
    return BrandItem(
        pk=brand_pk(brand.brand_id),
        sk="BRAND",
        brand_id=brand.brand_id,
        name=brand.name,
        slug=brand.slug,
        allowed_domains=list(brand.allowed_domains),
        fallback_url=brand.fallback_url,
        logo_url=brand.logo_url,
        terms_url=brand.terms_url,
        utm_defaults=brand.utm_defaults,
        tier_thresholds=brand.tier_thresholds,
        target_niches=list(brand.target_niches),
        target_countries=list(brand.target_countries),
        locale=brand.locale,
        created_at=brand.created_at,
    )


def _to_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        key_id=item.key_id,
        brand_id=item.brand_id,
        name=item.name,
        role=Role(item.role),
        key_hash=item.key_hash,
        last4=item.last4,
        created_at=item.created_at,
        revoked_at=item.revoked_at,
    )


def _key_item(key: ApiKey) -> ApiKeyItem:
    return ApiKeyItem(
        pk=brand_pk(key.brand_id),
        sk=f"KEY#{key.key_id}",
        key_id=key.key_id,
        brand_id=key.brand_id,
        name=key.name,
        role=key.role.value,
        key_hash=key.key_hash,
        last4=key.last4,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def _lookup_item(key: ApiKey) -> ApiKeyLookupItem:
    """The key's lookup by hash: what the authorizer reads, and nothing it does not need."""
    return ApiKeyLookupItem(
        pk=_lookup_pk(key.key_hash),
        sk="APIKEY",
        brand_id=key.brand_id,
        key_id=key.key_id,
        role=key.role.value,
        revoked=not key.active,
    )


def _to_audit(item: AuditItem) -> AuditEntry:
    return AuditEntry(
        entry_id=item.entry_id, brand_id=item.brand_id, action=item.action, subject=item.subject,
        actor=item.actor, at=item.at, fields=tuple(str(f) for f in item.fields or ()),
    )  # fmt: skip


class DynamoIdentityRepository:
    def __init__(self) -> None:
        self._connection = transaction_connection()

    # Brands
    def create_brand(self, brand: Brand) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_slug_item(brand.slug, brand.brand_id), condition=BrandSlugItem.pk.does_not_exist())
                tx.save(_brand_item(brand), condition=BrandItem.pk.does_not_exist())
                tx.save(BrandRosterItem(pk=BRAND_ROSTER_PK, sk=brand.brand_id))
        except TransactWriteError as exc:
            raise Conflict(f"The slug '{brand.slug}' is taken.", {"slug": brand.slug}) from exc

    def get_brand(self, brand_id: str) -> Brand:
        try:
            return _to_brand(BrandItem.get(brand_pk(brand_id), "BRAND"))
        except DoesNotExist as exc:
            raise NotFound("No such brand.") from exc

    def brand_ids(self) -> list[str]:
        """Every brand's id, from the roster each new brand joins."""
        return [item.sk for item in BrandRosterItem.query(BRAND_ROSTER_PK)]

    def find_brand_by_slug(self, slug: str) -> Brand | None:
        try:
            pointer = BrandSlugItem.get(f"BRANDSLUG#{slug}", "BRANDSLUG")
        except DoesNotExist:
            return None
        return self.get_brand(pointer.brand_id)

    def save_brand(self, brand: Brand, previous_slug: str) -> None:
        """Replace the brand; a new slug is claimed and the old one released in the same transaction."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_brand_item(brand), condition=BrandItem.pk.exists())
                if brand.slug != previous_slug:
                    tx.save(
                        _slug_item(brand.slug, brand.brand_id), condition=BrandSlugItem.pk.does_not_exist()
                    )
                    tx.delete(_slug_item(previous_slug, brand.brand_id))
        except TransactWriteError as exc:
            raise Conflict(f"The slug '{brand.slug}' is taken.", {"slug": brand.slug}) from exc

    # API keys
    def add_api_key(self, key: ApiKey) -> None:
        with TransactWrite(connection=self._connection) as tx:
            tx.save(_key_item(key), condition=ApiKeyItem.pk.does_not_exist())
            tx.save(_lookup_item(key), condition=ApiKeyLookupItem.pk.does_not_exist())

    def list_api_keys(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[ApiKey], str | None]:
        pk = brand_pk(brand_id)
        result = ApiKeyItem.query(
            pk,
            ApiKeyItem.sk.startswith("KEY#"),
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, pk),
        )
        keys = [_to_key(item) for item in result]
        return keys, encode_cursor(result.last_evaluated_key)

    def get_api_key(self, brand_id: str, key_id: str) -> ApiKey:
        try:
            return _to_key(ApiKeyItem.get(brand_pk(brand_id), f"KEY#{key_id}"))
        except DoesNotExist as exc:
            raise NotFound("No such API key.") from exc

    def revoke_api_key(self, key: ApiKey, at: datetime) -> None:
        with TransactWrite(connection=self._connection) as tx:
            tx.update(
                ApiKeyItem(pk=brand_pk(key.brand_id), sk=f"KEY#{key.key_id}"),
                actions=[ApiKeyItem.revoked_at.set(at)],
                condition=ApiKeyItem.pk.exists(),
            )
            tx.update(
                ApiKeyLookupItem(pk=_lookup_pk(key.key_hash), sk="APIKEY"),
                actions=[ApiKeyLookupItem.revoked.set(True)],
                condition=ApiKeyLookupItem.pk.exists(),
            )

    def find_active_key(self, key_hash: str) -> tuple[str, str, Role] | None:
        """(brand_id, key_id, role) of an active key with this hash, read consistently; None otherwise."""
        try:
            item = ApiKeyLookupItem.get(_lookup_pk(key_hash), "APIKEY", consistent_read=True)
        except DoesNotExist:
            return None
        if item.revoked:
            return None
        return item.brand_id, item.key_id, Role(item.role)

    # The audit trail
    def append_audit(self, entry: AuditEntry) -> None:
        AuditItem(
            pk=brand_pk(entry.brand_id),
            sk=f"AUDIT#{entry.at.isoformat()}#{entry.entry_id}",
            entry_id=entry.entry_id,
            brand_id=entry.brand_id,
            action=entry.action,
            subject=entry.subject,
            actor=entry.actor,
            at=entry.at,
            fields=list(entry.fields),
        ).save(condition=AuditItem.pk.does_not_exist())

    def audit_page(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        """Newest first."""
        pk = brand_pk(brand_id)
        result = AuditItem.query(
            pk,
            AuditItem.sk.startswith("AUDIT#"),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, pk),
        )
        return [_to_audit(i) for i in result], encode_cursor(result.last_evaluated_key)
