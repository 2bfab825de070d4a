"""The LinkRepository port: what links' use cases rely on, held against the in-memory fake and the DynamoDB
repository (on the local cloud, in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from infra.local import environ
from starling.links.model import Link, LinkFigures, LinkRepository
from starling.links.redirects import RedirectEntry
from starling.shared.errors import Conflict, NotFound
from tests.fakes.links import InMemoryLinkRepository

NOW = datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC)


@dataclass
class Subject:
    links: LinkRepository
    target: Callable[
        ..., RedirectEntry | None
    ]  # the redirect's entry for a slug (and a time), as it reads it


@pytest.fixture(params=["in_memory", "dynamodb"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "in_memory":
        fake = InMemoryLinkRepository()
        yield Subject(fake, fake.find)
        return
    cloud = request.getfixturevalue("cloud")
    env = cloud.function_environment("ApiApiFunction")
    with environ.install().invocation(env):
        import boto3

        from starling.links.redirect_store import RedirectStore
        from starling.links.repository import DynamoLinkRepository

        store = RedirectStore(boto3.client("dynamodb"), env["TABLE_NAME"])
        yield Subject(DynamoLinkRepository(), store.find)


def _link(brand_id: str, slug: str, partner_id: str = "ptn_1", minutes: int = 0) -> Link:
    at = NOW + timedelta(minutes=minutes)
    return Link(
        slug=slug, brand_id=brand_id, partner_id=partner_id, destination_url="https://shop.example.com/p/1",
        created_at=at, updated_at=at, campaign_id="spring", utm={"utm_source": "ig", "utm_medium": None},
        ios_url="https://shop.example.com/ios", expires_at=NOW + timedelta(days=30),
    )  # fmt: skip


def _target(link: Link, fallback: str | None = "https://shop.example.com/") -> RedirectEntry:
    return RedirectEntry(
        slug=link.slug, brand_id=link.brand_id, partner_id=link.partner_id, campaign_id=link.campaign_id,
        url=link.destination_url + "?utm_source=ig", ios_url=link.ios_url, android_url=None,
        fallback_url=fallback, disabled=link.disabled,
        expires_epoch=int(link.expires_at.timestamp()) if link.expires_at else None,
    )  # fmt: skip


def _ids() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return f"brd_{suffix}", f"s{suffix}"


def test_a_created_link_reads_back_whole_with_no_figures_and_its_redirect_entry(subject: Subject) -> None:
    brand_id, slug = _ids()
    link = _link(brand_id, slug)
    subject.links.create(link, _target(link))
    assert subject.links.get(brand_id, slug) == (link, LinkFigures())
    assert subject.target(slug) == _target(link)


def test_a_slug_is_unique_across_brands_and_the_first_link_is_kept(subject: Subject) -> None:
    brand_id, slug = _ids()
    other_brand, _ = _ids()
    first = _link(brand_id, slug)
    subject.links.create(first, _target(first))
    second = replace(_link(other_brand, slug), destination_url="https://elsewhere.example.com/")
    with pytest.raises(Conflict):
        subject.links.create(second, _target(second))
    assert subject.links.get(brand_id, slug)[0] == first
    assert subject.target(slug) == _target(first)
    with pytest.raises(NotFound):
        subject.links.get(other_brand, slug)


def test_an_update_changes_the_link_and_its_entry_and_a_missing_link_is_not_found(subject: Subject) -> None:
    brand_id, slug = _ids()
    link = _link(brand_id, slug)
    subject.links.create(link, _target(link))
    changed = replace(
        link, destination_url="https://shop.example.com/p/2", campaign_id=None, ios_url=None,
        expires_at=None, disabled=True, utm={}, updated_at=NOW + timedelta(hours=1),
    )  # fmt: skip
    subject.links.update(changed, _target(changed))
    assert subject.links.get(brand_id, slug) == (changed, LinkFigures())
    assert subject.target(slug) == _target(changed)
    missing = _link(brand_id, slug + "x")
    with pytest.raises(NotFound):
        subject.links.update(missing, _target(missing))
    with pytest.raises(NotFound):
        subject.links.get(brand_id, slug + "x")


def test_lists_page_through_a_brands_links_or_one_partners(subject: Subject) -> None:
    brand_id, slug = _ids()
    made = [
        _link(brand_id, f"{slug}-{n}", partner_id="ptn_a" if n < 3 else "ptn_b", minutes=n) for n in range(4)
    ]
    for link in made:
        subject.links.create(link, _target(link))

    def every_page(partner_id: str | None) -> list[str]:
        slugs: list[str] = []
        cursor: str | None = None
        while True:
            page, cursor = subject.links.list_page(brand_id, partner_id, 2, cursor)
            assert len(page) <= 2
            slugs.extend(link.slug for link, figures in page if figures == LinkFigures())
            if cursor is None:
                return sorted(slugs)

    assert every_page(None) == [link.slug for link in made]
    assert every_page("ptn_a") == [link.slug for link in made[:3]]
    assert sorted(link.slug for link in subject.links.all(brand_id)) == [link.slug for link in made]


def test_saved_targets_replace_the_redirect_entries(subject: Subject) -> None:
    brand_id, slug = _ids()
    links = [_link(brand_id, f"{slug}-{n}") for n in range(2)]
    for link in links:
        subject.links.create(link, _target(link))
    subject.links.save_targets([_target(link, fallback="https://shop.example.com/sale") for link in links])
    for link in links:
        assert subject.target(link.slug) == _target(link, fallback="https://shop.example.com/sale")
        assert subject.links.get(brand_id, link.slug)[0] == link


def test_a_renamed_link_moves_whole_and_its_old_slug_forwards_until_it_expires(subject: Subject) -> None:
    # Given a link
    brand_id, slug = _ids()
    link = _link(brand_id, slug)
    subject.links.create(link, _target(link))
    # When it is renamed, its old slug forwarding for a day
    renamed = replace(link, slug=slug + "-new", previous_slugs=(slug,))
    until = int(NOW.timestamp()) + 86_400
    subject.links.rename(slug, renamed, _target(renamed), until)
    # Then it reads back under its new slug only, with its old slug remembered
    assert subject.links.get(brand_id, renamed.slug) == (renamed, LinkFigures())
    with pytest.raises(NotFound):
        subject.links.get(brand_id, slug)
    # And the redirect finds the new entry under both slugs until the forward expires, then nothing
    assert subject.target(renamed.slug) == _target(renamed)
    assert subject.target(slug, until - 1) == _target(renamed)
    assert subject.target(slug, until) is None
    # And the old slug cannot be taken by another link meanwhile
    with pytest.raises(Conflict):
        subject.links.create(_link(_ids()[0], slug), _target(_link(brand_id, slug)))


def test_renaming_to_a_taken_slug_is_a_conflict_and_changes_nothing(subject: Subject) -> None:
    # Given two links
    brand_id, slug = _ids()
    link, other = _link(brand_id, slug), _link(brand_id, slug + "-b")
    subject.links.create(link, _target(link))
    subject.links.create(other, _target(other))
    # When the first is renamed to the second's slug; Then Conflict, and both are as they were
    with pytest.raises(Conflict):
        subject.links.rename(
            slug, replace(link, slug=other.slug), _target(replace(link, slug=other.slug)), 2**40
        )
    assert subject.links.get(brand_id, slug)[0] == link
    assert subject.target(other.slug) == _target(other)
