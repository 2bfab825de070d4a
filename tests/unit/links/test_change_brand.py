"""Changing the brand is one use case: a new UTM default or fallback reaches every redirect item at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from starling.identity import service as identity
from starling.links import service as links
from starling.links.model import Link
from starling.links.redirects import RedirectEntry
from starling.shared.errors import Invalid
from tests.fakes.identity import InMemoryIdentityRepository

NOW = datetime(2026, 11, 1, tzinfo=UTC)


class RecordingLinks:
    """The part of a link repository change_brand uses: the brand's links, and the targets written."""

    def __init__(self, brand_id: str) -> None:
        self.links = [
            Link(
                slug=slug,
                brand_id=brand_id,
                partner_id="ptn_1",
                destination_url=f"https://acme.com/{slug}",
                created_at=NOW,
                updated_at=NOW,
            )
            for slug in ("summer", "winter")
        ]
        self.saved: list[list[RedirectEntry]] = []

    def all(self, brand_id: str) -> list[Link]:
        return [link for link in self.links if link.brand_id == brand_id]

    def save_targets(self, targets: list[RedirectEntry]) -> None:
        self.saved.append(targets)


def _brand() -> tuple[InMemoryIdentityRepository, str]:
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme", allowed_domains=["acme.com"])
    return repo, created.brand.brand_id


def test_new_utm_defaults_are_written_into_every_redirect_item() -> None:
    # Given a brand with two links
    brands, brand_id = _brand()
    recorded = RecordingLinks(brand_id)
    # When its UTM defaults change
    brand = links.change_brand(brands, recorded, brand_id, {"utm_defaults": {"utm_source": "starling"}})  # type: ignore[arg-type]
    # Then the brand is saved and both redirect items carry the new default
    assert brands.get_brand(brand_id).utm_defaults == {"utm_source": "starling"} == brand.utm_defaults
    assert [[t.url for t in targets] for targets in recorded.saved] == [
        ["https://acme.com/summer?utm_source=starling", "https://acme.com/winter?utm_source=starling"]
    ]


def test_a_new_fallback_is_written_into_every_redirect_item() -> None:
    brands, brand_id = _brand()
    recorded = RecordingLinks(brand_id)
    links.change_brand(brands, recorded, brand_id, {"fallback_url": "https://acme.com/sorry"})  # type: ignore[arg-type]
    assert [t.fallback_url for t in recorded.saved[0]] == ["https://acme.com/sorry"] * 2


@pytest.mark.parametrize("changes", [{"name": "Acme Outdoors"}, {"locale": "de_DE"}, {"slug": "acme-2"}])
def test_other_settings_leave_the_redirect_items_alone(changes: dict[str, Any]) -> None:
    brands, brand_id = _brand()
    recorded = RecordingLinks(brand_id)
    links.change_brand(brands, recorded, brand_id, changes)  # type: ignore[arg-type]
    assert recorded.saved == []


def test_a_refused_change_touches_neither_the_brand_nor_the_redirects() -> None:
    brands, brand_id = _brand()
    recorded = RecordingLinks(brand_id)
    with pytest.raises(Invalid):
        links.change_brand(brands, recorded, brand_id, {"fallback_url": "ftp://acme.com", "utm_defaults": {}})  # type: ignore[arg-type]
    assert recorded.saved == [] and brands.get_brand(brand_id).fallback_url is None
