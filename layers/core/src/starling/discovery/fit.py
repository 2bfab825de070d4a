"""How well a creator fits a brand: a score from 0 to 100 and the factors that made it (`fit_score`), and
where a creator's engagement ranks among the creators of its tier (`engagement_percentiles`).

The same inputs always give the same score, and every point is explained: each factor says what it saw and
what it contributed, so a brand can see why one creator ranks above another.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starling.discovery.model import Creator, engagement_rate, tier_for
from starling.discovery.terms import niche_key
from starling.shared.errors import Invalid

# --- engagement percentiles --------------------------------------------------------------------------


def percentile_rank(value: Decimal, sorted_sample: Sequence[Decimal]) -> int:
    """Where `value` sits in an ascending sample, 0-100: the share below it plus half the share equal to it.

    An empty sample gives 50 (nothing to compare with).
    """
    if not sorted_sample:
        return 50
    below = bisect_left(sorted_sample, value)
    equal = bisect_right(sorted_sample, value) - below
    share = (Decimal(below) + Decimal(equal) / 2) / Decimal(len(sorted_sample))
    return int((share * 100).to_integral_value(ROUND_HALF_UP))


def engagement_samples_by_tier(
    creators: Iterable[Creator], thresholds: Mapping[str, int] | None = None
) -> dict[str, list[Decimal]]:
    """Each tier's engagement rates, ascending: the sample `percentile_rank` compares a creator with."""
    samples: dict[str, list[Decimal]] = {}
    for creator in creators:
        samples.setdefault(tier_for(creator.followers, thresholds), []).append(engagement_rate(creator))
    for rates in samples.values():
        rates.sort()
    return samples


def engagement_percentiles(
    creators: Iterable[Creator], thresholds: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Each creator's engagement percentile (0-100) among the creators of the same tier, by creator_id."""
    creators = list(creators)
    samples = engagement_samples_by_tier(creators, thresholds)
    return {
        c.creator_id: percentile_rank(engagement_rate(c), samples[tier_for(c.followers, thresholds)])
        for c in creators
    }


# --- fit score ---------------------------------------------------------------------------------------

# Nominal weights in points out of 100. Without past performance, the other three are scaled up to fill 100.
FIT_WEIGHTS: dict[str, int] = {
    "niche_match": 40,
    "engagement": 30,
    "audience_country": 20,
    "past_performance": 10,
}
BRAND_SAFETY_PENALTY_PER_FLAG = 15
BRAND_SAFETY_PENALTY_MAX = 45
_NEUTRAL = Decimal("0.5")
_ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class FitFactor:
    """One factor of a fit score. `weight` and `contribution` are both points out of 100: `weight` is the
    most the factor can give in this score (`nominal_weight`, scaled up when a factor is missing), and
    `contribution` is weight x value. For brand safety, `weight` is the points each flag takes."""

    name: str
    weight: Decimal
    value: Decimal
    contribution: Decimal
    explanation: str
    nominal_weight: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": str(self.weight),
            "nominal_weight": self.nominal_weight,
            "value": str(self.value),
            "contribution": str(self.contribution),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class FitScore:
    score: int
    factors: tuple[FitFactor, ...] = field(default_factory=tuple)
    weighting: str = ""  # how the nominal weights became this score's weights

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "weighting": self.weighting,
            "factors": [f.as_dict() for f in self.factors],
        }


def _niche_factor(creator: Creator, brand_niches: Iterable[str]) -> tuple[Decimal, str]:
    wanted = {niche_key(n): n for n in brand_niches if n.strip()}
    if not wanted:
        return _NEUTRAL, "The brand has no niches set, so every creator counts as half a match."
    if not creator.niches:
        return _NEUTRAL, "The creator has no niches on record, so they count as half a match."
    matched = [n for n in creator.niches if niche_key(n) in wanted]
    if not matched:
        return Decimal(0), "None of the creator's niches is one of the brand's."
    value = min(Decimal(1), Decimal(len(matched)) / Decimal(min(len(wanted), len(creator.niches))))
    return value, f"Matches the brand's niches: {', '.join(matched)}."


def _country_factor(creator: Creator, target_countries: Iterable[str]) -> tuple[Decimal, str]:
    targets = {c.upper() for c in target_countries}
    if not targets:
        return _NEUTRAL, "The brand targets no particular country."
    if creator.country is None:
        return _NEUTRAL, "The creator's country is unknown."
    if creator.country in targets:
        return Decimal(1), f"Based in {creator.country}, a target country."
    return Decimal(0), f"Based in {creator.country}, outside the target countries."


def fit_score(
    creator: Creator,
    brand_niches: Iterable[str],
    target_countries: Iterable[str],
    engagement_percentile: int,
    past_performance: int | None = None,
    engagement: Decimal | None = None,
) -> FitScore:
    """How well a creator fits a brand, 0-100, with the factors that made the score.

    Factors and nominal weights (`FIT_WEIGHTS`): niche match 40, engagement percentile within the tier 30,
    audience country 20, past performance 10. Each factor has a value from 0 to 1 and contributes
    weight x value points. Past performance is a 0-100 percentile of the creator's results among the brand's
    partners (for example by revenue per month active); when there is none, the factor is left out and the
    other weights are scaled to fill 100. Unknowns (no niches, no country) count as half. Each brand-safety
    flag then takes `BRAND_SAFETY_PENALTY_PER_FLAG` points, at most `BRAND_SAFETY_PENALTY_MAX`. The score is
    rounded half up and kept within 0-100. The same inputs always give the same score.

    `engagement` is the creator's rate when the caller has it already (a search row keeps the rate, not the
    likes and comments it came from); by default it is computed from `creator`. Each factor's `weight` and
    `contribution` are in the same units, points out of 100, and `weighting` says how the nominal weights
    were scaled.
    """
    if not 0 <= engagement_percentile <= 100:
        raise Invalid("engagement_percentile is 0 to 100.", {"engagement_percentile": engagement_percentile})
    if past_performance is not None and not 0 <= past_performance <= 100:
        raise Invalid("past_performance is 0 to 100.", {"past_performance": past_performance})

    rate = engagement_rate(creator) if engagement is None else engagement.quantize(Decimal("0.0001"))
    niche_value, niche_text = _niche_factor(creator, brand_niches)
    country_value, country_text = _country_factor(creator, target_countries)
    parts: list[tuple[str, Decimal, str]] = [
        ("niche_match", niche_value, niche_text),
        (
            "engagement",
            Decimal(engagement_percentile) / 100,
            f"Engagement {_percent(rate)} ranks at percentile {engagement_percentile} in its tier.",
        ),
        ("audience_country", country_value, country_text),
    ]
    if past_performance is not None:
        parts.append(
            (
                "past_performance",
                Decimal(past_performance) / 100,
                f"Past results rank at percentile {past_performance} among the brand's partners.",
            )
        )
    total_weight = sum(FIT_WEIGHTS[name] for name, _, _ in parts)
    scale = Decimal(100) / Decimal(total_weight)
    weighting = _weighting([name for name, _, _ in parts], total_weight)

    factors: list[FitFactor] = []
    points = Decimal(0)
    for name, value, text in parts:
        weight = FIT_WEIGHTS[name] * scale
        contribution = weight * value
        points += contribution
        factors.append(
            FitFactor(
                name,
                weight.quantize(_ONE_PLACE),
                value.quantize(Decimal("0.01")),
                contribution.quantize(_ONE_PLACE),
                text,
                nominal_weight=FIT_WEIGHTS[name],
            )
        )

    flags = creator.brand_safety_flags
    penalty = min(BRAND_SAFETY_PENALTY_PER_FLAG * len(flags), BRAND_SAFETY_PENALTY_MAX)
    factors.append(
        FitFactor(
            "brand_safety",
            Decimal(-BRAND_SAFETY_PENALTY_PER_FLAG).quantize(_ONE_PLACE),
            Decimal(len(flags)),
            Decimal(-penalty).quantize(_ONE_PLACE),
            (f"Flagged: {', '.join(flags)}." if flags else "No brand-safety flags.")
            + f" Each flag takes {BRAND_SAFETY_PENALTY_PER_FLAG} points, at most {BRAND_SAFETY_PENALTY_MAX}.",
            nominal_weight=-BRAND_SAFETY_PENALTY_PER_FLAG,
        )
    )
    score = int((points - penalty).to_integral_value(ROUND_HALF_UP))
    return FitScore(score=max(0, min(100, score)), factors=tuple(factors), weighting=weighting)


def _percent(rate: Decimal) -> str:
    """A rate as a marketer reads it: 0.0345 is "3.45%"."""
    return f"{(rate * 100).quantize(Decimal('0.01'))}%"


def _weighting(present: list[str], total_weight: int) -> str:
    """How the nominal weights became this score's weights, in points out of 100."""
    nominal = ", ".join(f"{name} {FIT_WEIGHTS[name]}" for name in present)
    if total_weight == 100:
        return f"Weights in points out of 100: {nominal}."
    missing = [name for name in FIT_WEIGHTS if name not in present]
    return (
        f"Weights in points out of 100. {', '.join(missing)} is unknown, so the other nominal weights "
        f"({nominal}: {total_weight} points) are scaled by 100/{total_weight} to fill 100."
    )
