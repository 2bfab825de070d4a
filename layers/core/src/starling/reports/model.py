"""What a report row says and how its ratios are computed. Pure rules, no AWS.

- cost = commission + CPC + fees (flat, per-post, retainer) + gifting; fees = flat + per-post + retainer.
- ROI = (revenue - cost) / cost, a Decimal rounded half to even to 4 places (0.2500 is 25%); null when
  the cost is 0 (no spend: no return to speak of).
- EPC = what the partners earned (commission + CPC) per click, in minor units, rounded half to even to 2
  places; CVR = conversions / clicks, 4 places. Both null without clicks. Clicks are people's clicks:
  not bots, not bursts (starling.links.click_quality).
Ratios are computed from a row's own sums, so the totals row's ratios are the brand's, not a mean of rows'.
docs/decisions.md, 2026-12-07, "Money reports".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

CLICK_FIGURES = ("clicks", "unique_clicks", "bot_clicks", "flagged_clicks", "in_app_clicks")
MONEY_FIGURES = ("conversions", "revenue", "commission", "cpc", "flat", "per_post", "retainer", "gifting")
ROI_PLACES = Decimal("0.0001")
EPC_PLACES = Decimal("0.01")
CVR_PLACES = Decimal("0.0001")


def ratio(numerator: int, denominator: int, places: Decimal) -> Decimal | None:
    """numerator / denominator rounded half to even to `places`; None when the denominator is 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_EVEN)


@dataclass
class Figures:
    """A group's sums: clicks from the click counters, money from the money figures."""

    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    flagged_clicks: int = 0
    in_app_clicks: int = 0
    conversions: int = 0
    revenue: int = 0
    commission: int = 0
    cpc: int = 0
    flat: int = 0
    per_post: int = 0
    retainer: int = 0
    gifting: int = 0
    partners: set[str] = field(default_factory=set)  # the partners with figures in the group

    def add(self, figures: dict[str, int]) -> None:
        for name, value in figures.items():
            if name in CLICK_FIGURES or name in MONEY_FIGURES:
                setattr(self, name, getattr(self, name) + value)

    def add_figures(self, other: Figures) -> None:
        for name in (*CLICK_FIGURES, *MONEY_FIGURES):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.partners |= other.partners

    @property
    def fees(self) -> int:
        return self.flat + self.per_post + self.retainer

    @property
    def cost(self) -> int:
        return self.commission + self.cpc + self.fees + self.gifting

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.revenue - self.cost, self.cost, ROI_PLACES)

    @property
    def epc(self) -> Decimal | None:
        return ratio(self.commission + self.cpc, self.clicks, EPC_PLACES)

    @property
    def cvr(self) -> Decimal | None:
        return ratio(self.conversions, self.clicks, CVR_PLACES)

    @property
    def in_app_share(self) -> Decimal | None:
        return ratio(self.in_app_clicks, self.clicks, CVR_PLACES)

    def as_dict(self) -> dict[str, int | str | None]:
        """The figures and ratios as the API shows them (ratios as Decimal strings)."""
        out: dict[str, int | str | None] = {
            name: getattr(self, name) for name in (*CLICK_FIGURES, *MONEY_FIGURES)
        }
        out.update(fees=self.fees, cost=self.cost)
        for name in ("roi", "epc", "cvr"):
            value = getattr(self, name)
            out[name] = None if value is None else str(value)
        return out


OUTPUT_FIGURES = (*CLICK_FIGURES, *MONEY_FIGURES, "fees", "cost", "roi", "epc", "cvr")
