"""The demo brand that `make dev` starts with."""

from __future__ import annotations

from typing import Any

from infra.local import environ
from infra.local.cloud import LocalCloud

DEMO_BRAND = {
    "name": "Demo Brand",
    "slug": "demo",
    "allowed_domains": ["shop.example.com", "example.com"],
    "fallback_url": "https://shop.example.com/",
    "utm_defaults": {"utm_source": "starling", "utm_medium": "influencer"},
}


def seed_demo_brand(cloud: LocalCloud, name: str = "Demo Brand", slug: str = "demo") -> dict[str, Any]:
    """Create the demo brand and its owner key with the API function's own environment and code."""
    with environ.install().invocation(cloud.function_environment("ApiApiFunction")):
        from starling.identity.repository import DynamoIdentityRepository
        from starling.identity.service import create_brand

        settings = {**DEMO_BRAND, "name": name, "slug": slug}
        created = create_brand(DynamoIdentityRepository(), **settings)  # type: ignore[arg-type]
    return {
        "brand_id": created.brand.brand_id,
        "api_key": created.owner_key.raw_key,
        "slug": created.brand.slug,
    }
