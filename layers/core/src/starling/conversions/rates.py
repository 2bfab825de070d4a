"""Conversion rates over the last 30 days for the `conversion_rate` hold (starling.conversions.fraud): each
partner's people's clicks (links' month click counters) and orders by click (the money cells that have a
link), and each partner's tier. The whole brand is read at once and kept for a few minutes per brand in
the function's memory, so an order costs no extra read but the first of those minutes; a hold therefore
sees figures up to RATES_TTL_SECONDS old, which a rate over 30 days does not feel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple, Protocol

from starling.conversions.fraud import RATE_WINDOW_DAYS, Rates
from starling.conversions.model import FigureBook, figures_between
from starling.discovery.model import brand_owner, tier_for
from starling.discovery.service import creator_store
from starling.identity.service import identity_store
from starling.links.model import ClickMonthReader
from starling.recruiting.model import Stage
from starling.recruiting.service import partner_store

RATES_TTL_SECONDS = 300.0


class PartnerTier(NamedTuple):
    tier: str  # nano, micro, mid, macro, mega or unknown
    in_program: bool  # approved, onboarding, active or paused


class TierSource(Protocol):
    def tiers(self, brand_id: str) -> dict[str, PartnerTier]: ...


class RateSource(Protocol):
    def rates(self, brand_id: str, partner_id: str, today: date) -> Rates | None: ...


@dataclass
class _Tally:
    clicks: int = 0
    conversions: int = 0


@dataclass
class BrandRates:
    """Every partner's clicks and orders by click over a window, and their tiers."""

    by_partner: dict[str, _Tally] = field(default_factory=dict)
    tiers: dict[str, str] = field(default_factory=dict)

    def of(self, partner_id: str) -> Rates:
        own = self.by_partner.get(partner_id, _Tally())
        tier = self.tiers.get(partner_id, "unknown")
        others = [(pid, t) for pid, t in self.by_partner.items() if pid != partner_id]
        peers = [t for pid, t in others if tier != "unknown" and self.tiers.get(pid) == tier]
        baseline = "tier"
        if sum(t.clicks for t in peers) == 0:
            peers, baseline = [t for _, t in others], "brand"
        peer_clicks, peer_conversions = sum(t.clicks for t in peers), sum(t.conversions for t in peers)
        return Rates(tier, own.clicks, own.conversions, peer_clicks, peer_conversions, baseline)


def brand_rates(
    clicks: ClickMonthReader, book: FigureBook, brand_id: str, start: date, end: date
) -> BrandRates:
    found = BrandRates()
    first, last = start.strftime("%Y%m"), end.strftime("%Y%m")
    for counter in clicks.month_counters(brand_id, first, last):
        partner_id = counter.labels.get("partner_id")
        if partner_id:
            inside = figures_between(counter.month, counter.figures, counter.days, start, end)
            found.by_partner.setdefault(partner_id, _Tally()).clicks += inside.get("clicks", 0)
    for cell in book.cells(brand_id, first, last):
        if cell.link:  # orders by click
            inside = figures_between(cell.month, cell.figures, cell.days, start, end)
            found.by_partner.setdefault(cell.partner_id, _Tally()).conversions += inside.get("conversions", 0)
    return found


class TrailingRates:
    """The `RateSource` the conversions service reads: the last RATE_WINDOW_DAYS days to `today`."""

    def __init__(
        self,
        clicks: ClickMonthReader,
        book: FigureBook,
        tiers: TierSource,
        ttl_seconds: float = RATES_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clicks, self.book, self.tier_source = clicks, book, tiers
        self.ttl, self.monotonic = ttl_seconds, monotonic
        self._kept: dict[str, tuple[float, date, BrandRates]] = {}

    def rates(self, brand_id: str, partner_id: str, today: date) -> Rates | None:
        kept = self._kept.get(brand_id)
        if kept is None or kept[0] <= self.monotonic() or kept[1] != today:
            start = today - timedelta(days=RATE_WINDOW_DAYS - 1)
            found = brand_rates(self.clicks, self.book, brand_id, start, today)
            found.tiers = {pid: known.tier for pid, known in self.tier_source.tiers(brand_id).items()}
            kept = (self.monotonic() + self.ttl, today, found)
            self._kept[brand_id] = kept
        return kept[2].of(partner_id)


IN_PROGRAM = frozenset({Stage.APPROVED, Stage.ONBOARDING, Stage.ACTIVE, Stage.PAUSED})


class DynamoPartnerTiers:
    """The `TierSource`: each partner's tier, its creator's followers on the brand's thresholds ("unknown"
    when they are not known), and whether it is in the program (approved to paused). One query of
    partners, one read of the brand and a batch read of the creators (reports by tier read it too)."""

    def tiers(self, brand_id: str) -> dict[str, PartnerTier]:
        partners = partner_store().all(brand_id)
        brand = identity_store().get_brand(brand_id)
        creators = creator_store().get_many(brand_owner(brand_id), [p.creator_id for p in partners])
        found = {}
        for partner in partners:
            creator = creators.get(partner.creator_id)
            tier = (
                tier_for(creator.followers, brand.tier_thresholds)
                if creator is not None and creator.followers > 0
                else "unknown"
            )
            found[partner.partner_id] = PartnerTier(tier, partner.stage in IN_PROGRAM)
        return found
