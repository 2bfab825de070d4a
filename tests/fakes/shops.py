"""In-memory fakes of the shop secrets' ports (starling.conversions.shops)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from starling.conversions.shops import SecretKind, ShopSecret
from starling.shared.errors import Conflict


class InMemoryShopSecretRepository:
    def __init__(self) -> None:
        self.items: dict[tuple[str, SecretKind], ShopSecret] = {}

    def get(self, brand_id: str, kind: SecretKind) -> ShopSecret | None:
        return self.items.get((brand_id, kind))

    def put(self, secret: ShopSecret, replacing: datetime | None) -> None:
        stored = self.items.get((secret.brand_id, secret.kind))
        if (stored.set_at if stored else None) != replacing:
            raise Conflict("The secret was changed at the same moment; send the request again.")
        self.items[(secret.brand_id, secret.kind)] = secret


class ContextBoundCipher:
    """Stands in for KMS: a "ciphertext" opens only with the context it was sealed under (not secret)."""

    def encrypt(self, plaintext: str, context: dict[str, str]) -> bytes:
        return base64.b64encode(json.dumps([plaintext, context], sort_keys=True).encode())

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> str:
        plaintext, sealed = json.loads(base64.b64decode(ciphertext))
        if sealed != context:
            raise ValueError("InvalidCiphertextException: the encryption context differs")
        return str(plaintext)


class SlugDirectory:
    def __init__(self, slugs: dict[str, str]) -> None:
        self.slugs = slugs

    def brand_id_for_slug(self, slug: str) -> str | None:
        return self.slugs.get(slug)
