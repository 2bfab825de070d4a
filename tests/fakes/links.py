"""In-memory fakes of links' ports (starling.links.model). Each is held to the behaviour of its DynamoDB
repository by a contract test in tests/integration/links/."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from starling.catalog.model import Product
from starling.identity.model import Brand
from starling.links.model import CounterKey, CounterUpdate, DayCounter, Link, LinkFigures
from starling.links.redirects import RedirectEntry
from starling.recruiting.model import Partner
from starling.shared.errors import Conflict, NotFound

FIGURE_NAMES = ("clicks", "unique_clicks", "bot_clicks", "flagged_clicks")


class InMemoryLinkRepository:
    """Links by brand and slug, with the redirect's entries by slug: a slug is unique across brands, as the
    slug item's absence makes it in DynamoDB. `taken` slugs are held by some other brand's link."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.links: dict[tuple[str, str], Link] = {}
        self.targets: dict[str, RedirectEntry] = {}
        self.figures: dict[tuple[str, str], LinkFigures] = {}
        self.taken = set(taken or ())
        self.attempts: list[str] = []
        self.forwards: dict[str, tuple[str, int]] = {}

    def create(self, link: Link, target: RedirectEntry) -> None:
        self.attempts.append(link.slug)
        if link.slug in self.taken or link.slug in self.targets or link.slug in self.forwards:
            raise Conflict(f"The slug '{link.slug}' is taken; choose another.", {"slug": link.slug})
        self.links[(link.brand_id, link.slug)] = link
        self.targets[link.slug] = target

    def update(self, link: Link, target: RedirectEntry) -> None:
        if (link.brand_id, link.slug) not in self.links:
            raise NotFound("No such link.")
        self.links[(link.brand_id, link.slug)] = link
        self.targets[link.slug] = target

    def get(self, brand_id: str, slug: str) -> tuple[Link, LinkFigures]:
        if (brand_id, slug) not in self.links:
            raise NotFound("No such link.", {"slug": slug})
        link = self.links[(brand_id, slug)]
        counted = [self.figures.get((brand_id, s), LinkFigures()) for s in (link.slug, *link.previous_slugs)]
        totals = {name: sum(getattr(f, name) for f in counted) for name in LinkFigures.__dataclass_fields__}
        return link, LinkFigures(**totals)

    def list_page(
        self, brand_id: str, partner_id: str | None, limit: int, cursor: str | None, archived: bool = False
    ) -> tuple[list[tuple[Link, LinkFigures]], str | None]:
        found = [
            link
            for link in self.all(brand_id)
            if partner_id in (None, link.partner_id) and (link.archived_at is not None) == archived
        ]
        start = int(cursor or 0)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return [self.get(brand_id, link.slug) for link in page], str(start + limit) if more else None

    def all(self, brand_id: str) -> list[Link]:
        return sorted((link for (b, _), link in self.links.items() if b == brand_id), key=lambda li: li.slug)

    def rename(self, old_slug: str, link: Link, target: RedirectEntry, forward_until_epoch: int) -> None:
        if (link.brand_id, old_slug) not in self.links:
            raise NotFound("No such link.", {"slug": old_slug})
        if link.slug in self.taken or link.slug in self.targets or link.slug in self.forwards:
            raise Conflict(f"The slug '{link.slug}' is taken; choose another.", {"slug": link.slug})
        del self.links[(link.brand_id, old_slug)]
        self.targets.pop(old_slug, None)
        self.links[(link.brand_id, link.slug)] = link
        self.targets[link.slug] = target
        self.forwards[old_slug] = (link.slug, forward_until_epoch)

    def find(self, slug: str, now_epoch: float | None = None) -> RedirectEntry | None:
        """What the redirect reads for a slug, as starling.links.redirect_store.RedirectStore finds it."""
        if slug in self.forwards:
            moved_to, until = self.forwards[slug]
            now_epoch = time.time() if now_epoch is None else now_epoch
            return self.targets.get(moved_to) if now_epoch < until else None
        return self.targets.get(slug)

    def save_targets(self, targets: list[RedirectEntry]) -> None:
        self.targets.update((target.slug, target) for target in targets)


class BrandsById:
    def __init__(self, *brands: Brand) -> None:
        self.brands = {brand.brand_id: brand for brand in brands}

    def get_brand(self, brand_id: str) -> Brand:
        if brand_id not in self.brands:
            raise NotFound("No such brand.")
        return self.brands[brand_id]


class PartnersById:
    def __init__(self, *partners: Partner) -> None:
        self.partners = {(p.brand_id, p.partner_id): p for p in partners}

    def get(self, brand_id: str, partner_id: str) -> Partner:
        if (brand_id, partner_id) not in self.partners:
            raise NotFound("No such partner.")
        return self.partners[(brand_id, partner_id)]


class ProductsById:
    def __init__(self, *products: Product) -> None:
        self.products = {(p.brand_id, p.product_id): p for p in products}

    def get(self, brand_id: str, product_id: str) -> Product:
        if (brand_id, product_id) not in self.products:
            raise NotFound("No such product.")
        return self.products[(brand_id, product_id)]


@dataclass
class _Counter:
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURE_NAMES, 0))
    hours: dict[str, dict[str, int]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


class InMemoryClickCounterRepository:
    """Counters that keep, per counter and shard, the last checkpoint counted, the way the DynamoDB
    repository's conditional updates do; `fail_after` makes `apply` die after that many updates."""

    def __init__(self) -> None:
        self.counters: dict[CounterKey, _Counter] = {}
        self.checkpoints: dict[tuple[CounterKey, str], str] = {}
        self.visitors: dict[tuple[str, str, int], dict[str, str]] = defaultdict(dict)
        self.sketches: dict[tuple[str, str], tuple[bytes | None, bytes | None, int, str, int]] = {}
        self.fail_after: int | None = None
        self.applied = 0

    @property
    def figures(self) -> defaultdict[tuple[str, str, str | None], dict[str, int]]:
        """Each counter's figures by (dimension, key id, day), whatever its brand."""
        view: defaultdict[tuple[str, str, str | None], dict[str, int]] = defaultdict(dict)
        view.update(((k.dimension, k.key_id, k.day), c.figures) for k, c in self.counters.items())
        return view

    def first_clicks(self, slug: str, hour: str, shard: int, firsts: dict[str, str]) -> dict[str, str]:
        state = self.visitors[(slug, hour, shard)]
        for visitor, click_id in firsts.items():
            state.setdefault(visitor, click_id)
        return {v: state[v] for v in firsts}

    def merge_visitors(self, slug: str, hour: str, visitors: list[str], run: str) -> int:
        from starling.links import visitors as sketch

        exact, registers, counted, last_run, last_new = self.sketches.get((slug, hour), (b"", None, 0, "", 0))
        if last_run == run:
            return last_new
        exact, registers, new = sketch.merge(exact, registers, counted, visitors)
        self.sketches[(slug, hour)] = (exact, registers, counted + new, run, new)
        return new

    def apply(self, shard_id: str, update: CounterUpdate) -> int:
        if self.fail_after is not None and self.applied >= self.fail_after:
            raise RuntimeError("the aggregator died halfway through a batch")
        self.applied += 1
        stored = self.checkpoints.get((update.key, shard_id))
        pending = [c for c in update.contributions if stored is None or c.checkpoint > stored]
        if not pending:
            return 0
        counter = self.counters.setdefault(update.key, _Counter())
        for c in pending:
            hour = counter.hours.setdefault(c.hour[8:], {})
            for name in FIGURE_NAMES:
                counter.figures[name] += getattr(c, name)
                if getattr(c, name):
                    hour[name] = hour.get(name, 0) + getattr(c, name)
        counter.labels.update(update.labels)
        self.checkpoints[(update.key, shard_id)] = pending[-1].checkpoint
        return len(pending)

    def day_counters(self, brand_id: str, dimension: str, from_day: str, to_day: str) -> list[DayCounter]:
        found = [
            DayCounter(
                key_id=key.key_id,
                day=key.day,
                figures={name: value for name, value in counter.figures.items() if value},
                hours={hour: figures for hour, figures in sorted(counter.hours.items()) if figures},
                labels=dict(counter.labels),
            )
            for key, counter in self.counters.items()
            if key.brand_id == brand_id
            and key.dimension == dimension
            and key.day is not None
            and from_day <= key.day <= to_day
        ]
        return sorted(found, key=lambda counter: (counter.day, counter.key_id))
