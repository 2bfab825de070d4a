"""The secrets a brand's shop signs orders with, and the checks of the shop endpoints (`/t/...`).

Two kinds per brand: Starling's `signing` secret (made here, shown once) and the `shopify` webhook secret
(made by Shopify, set by the brand). An HMAC secret cannot be stored as a hash (the verifier needs it
whole), so each is stored only as KMS ciphertext under an encryption context naming the brand and the
kind: a reader of the table alone cannot forge a request, and a ciphertext copied to another brand's item
does not decrypt. After a rotation the previous secret stays live for GRACE, so a shop can switch without
losing an order; a second rotation within the grace drops the oldest at once (docs/decisions.md).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from starling.conversions.signatures import (
    new_signing_secret,
    parse_signature_header,
    verify_shopify_hmac,
    verify_signature,
)
from starling.identity.model import is_slug
from starling.shared import clock
from starling.shared.errors import Invalid, NotFound, Unauthorized
from starling.shared.kms import kms_decrypt, kms_encrypt

GRACE = timedelta(hours=24)
_SHOPIFY_SECRET_RE = re.compile(r"^[\x21-\x7e]{16,200}$")


class SecretKind(StrEnum):
    SIGNING = "signing"
    SHOPIFY = "shopify"


@dataclass(frozen=True)
class ShopSecret:
    """A brand's secret of one kind, as stored: ciphertexts only."""

    brand_id: str
    kind: SecretKind
    current: bytes
    set_at: datetime
    previous: bytes | None = None
    previous_until: datetime | None = None

    def live(self, now: datetime) -> list[bytes]:
        """The ciphertexts of the secrets that verify a request now."""
        still = self.previous is not None and self.previous_until is not None and now < self.previous_until
        return [self.current, self.previous] if still and self.previous else [self.current]

    def rotated(self, ciphertext: bytes, now: datetime) -> ShopSecret:
        return replace(
            self, current=ciphertext, set_at=now, previous=self.current, previous_until=now + GRACE
        )

    def previous_valid_until(self, now: datetime) -> datetime | None:
        return self.previous_until if self.previous_until and now < self.previous_until else None


class ShopSecretRepository(Protocol):
    def get(self, brand_id: str, kind: SecretKind) -> ShopSecret | None: ...

    def put(self, secret: ShopSecret, replacing: datetime | None) -> None:
        """Store `secret` if the stored one was set at `replacing` (None: if there is none); else
        Conflict."""
        ...


class SecretCipher(Protocol):
    """Encrypts and decrypts a secret under a context (KMS in the product)."""

    def encrypt(self, plaintext: str, context: dict[str, str]) -> bytes: ...
    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> str: ...


class BrandSlugs(Protocol):
    def brand_id_for_slug(self, slug: str) -> str | None: ...


def _context(brand_id: str, kind: SecretKind) -> dict[str, str]:
    return {"brand_id": brand_id, "purpose": f"shop-secret:{kind.value}"}


class ShopSecretsService:
    def __init__(
        self,
        secrets: ShopSecretRepository,
        cipher: SecretCipher,
        brands: BrandSlugs,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.secrets = secrets
        self.cipher = cipher
        self.brands = brands
        self.now = now

    # --- the brand's side (owner) -------------------------------------------------------------------------

    def rotate_signing(self, brand_id: str) -> tuple[str, ShopSecret]:
        """A new signing secret (the only time it is shown), and the stored state."""
        plaintext = new_signing_secret()
        return plaintext, self._replace(brand_id, SecretKind.SIGNING, plaintext)

    def set_shopify(self, brand_id: str, plaintext: str) -> ShopSecret:
        if not _SHOPIFY_SECRET_RE.match(plaintext):
            raise Invalid(
                "secret is the webhook signing secret Shopify shows (16 to 200 characters, no spaces).",
                {"secret": "not a webhook secret"},
            )
        return self._replace(brand_id, SecretKind.SHOPIFY, plaintext)

    def status(self, brand_id: str) -> dict[SecretKind, ShopSecret | None]:
        return {kind: self.secrets.get(brand_id, kind) for kind in SecretKind}

    def _replace(self, brand_id: str, kind: SecretKind, plaintext: str) -> ShopSecret:
        now = self.now()
        ciphertext = self.cipher.encrypt(plaintext, _context(brand_id, kind))
        before = self.secrets.get(brand_id, kind)
        after = (
            before.rotated(ciphertext, now)
            if before is not None
            else ShopSecret(brand_id=brand_id, kind=kind, current=ciphertext, set_at=now)
        )
        self.secrets.put(after, before.set_at if before is not None else None)
        return after

    # --- the shop's side (public) ---------------------------------------------------------------------------

    def verify_signed(self, brand_slug: str, header: str | None, body: bytes) -> str:
        """The brand whose signing secret signed `body` (Starling-Signature); else 400, 401 or 404."""
        parse_signature_header(header)  # its shape (400) before any read
        brand_id, live = self._live(brand_slug, SecretKind.SIGNING)
        verify_signature(header, body, live, self.now())
        return brand_id

    def verify_shopify(self, brand_slug: str, header: str | None, body: bytes) -> str:
        """The brand whose Shopify webhook secret made the HMAC of `body`; else 400, 401 or 404."""
        brand_id, live = self._live(brand_slug, SecretKind.SHOPIFY)
        verify_shopify_hmac(header, body, live)
        return brand_id

    def _live(self, brand_slug: str, kind: SecretKind) -> tuple[str, list[str]]:
        slug = brand_slug.lower()
        brand_id = self.brands.brand_id_for_slug(slug) if is_slug(slug) else None  # no read for a junk slug
        if brand_id is None:
            raise NotFound("There is no brand at this address.", {"brand_slug": brand_slug})
        stored = self.secrets.get(brand_id, kind)
        if stored is None:
            raise Unauthorized(
                f"The brand has no {kind.value} secret yet; its owner sets one with "
                f"POST /v1/conversion-secrets/{kind.value}.",
                code="no_secret",
            )
        context = _context(brand_id, kind)
        return brand_id, [self.cipher.decrypt(c, context) for c in stored.live(self.now())]


class KmsSecretCipher:
    """Encrypts and decrypts with the shop-secrets key. A decrypted secret is kept in memory by its
    ciphertext (a ciphertext never changes meaning), so a warm function calls KMS once per secret."""

    def __init__(self, key_id: str, client: Any) -> None:
        self._key_id = key_id
        self._client = client

    def encrypt(self, plaintext: str, context: dict[str, str]) -> bytes:
        return kms_encrypt(self._client, self._key_id, plaintext, context)

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> str:
        return self._decrypt(ciphertext, tuple(sorted(context.items())))

    @lru_cache(maxsize=256)  # noqa: B019 - one cipher per process; the cache is meant to live as long
    def _decrypt(self, ciphertext: bytes, context: tuple[tuple[str, str], ...]) -> str:
        return kms_decrypt(self._client, self._key_id, ciphertext, dict(context))


def encode(ciphertext: bytes) -> str:
    return base64.b64encode(ciphertext).decode()


def decode(text: str) -> bytes:
    return base64.b64decode(text)
