"""A partner's click quality: shares of people, bots and bursts, the in-app share, the unique rate, the
conversion rate beside the tier's, and a verdict with its reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from starling.conversions.fraud import Rates
from starling.reports.model import Figures
from starling.reports.quality import click_quality, judge

CALM = Rates(
    "micro", clicks=400, conversions=4, baseline_clicks=10_000, baseline_conversions=100, baseline="tier"
)
PEOPLE = Figures(clicks=400, unique_clicks=360, bot_clicks=40, flagged_clicks=0, in_app_clicks=300)


def test_people_from_social_apps_converting_like_their_tier_are_healthy() -> None:
    found = click_quality("ptn_1", date(2026, 11, 1), date(2026, 11, 30), PEOPLE, CALM)
    assert found.verdict == "healthy"
    assert (found.total, found.people_share, found.bot_share, found.burst_share) == (
        440, Decimal("0.9091"), Decimal("0.0909"), Decimal("0.0000"),
    )  # fmt: skip
    assert (found.in_app_share, found.unique_rate) == (Decimal("0.7500"), Decimal("0.9000"))
    assert (found.conversion_rate, found.baseline_conversion_rate) == (Decimal("0.0100"), Decimal("0.0100"))


def test_a_rate_far_above_the_tier_or_many_bursts_are_suspicious_with_their_reasons() -> None:
    hot = Rates("micro", clicks=400, conversions=40, baseline_clicks=10_000, baseline_conversions=100,
                baseline="tier")  # fmt: skip
    verdict, reasons = judge(PEOPLE, hot)
    assert verdict == "suspicious" and "micro tier's 1.00%" in reasons[0]
    bursts = Figures(clicks=100, unique_clicks=90, flagged_clicks=60, in_app_clicks=80)
    verdict, reasons = judge(bursts, CALM)
    assert verdict == "suspicious" and "bursts" in reasons[0]


def test_few_unique_people_few_in_app_clicks_or_mostly_bots_call_for_a_review() -> None:
    repeated = Figures(clicks=100, unique_clicks=20, in_app_clicks=80)
    desktop = Figures(clicks=100, unique_clicks=90, in_app_clicks=2)
    previews = Figures(clicks=30, unique_clicks=30, bot_clicks=70, in_app_clicks=25)
    assert judge(repeated, CALM)[0] == "review" and "new visitors" in judge(repeated, CALM)[1][0]
    assert judge(desktop, CALM)[0] == "review" and "in-app" in judge(desktop, CALM)[1][0]
    assert judge(previews, CALM)[0] == "review" and "previews" in judge(previews, CALM)[1][0]


def test_a_handful_of_clicks_is_not_enough_to_judge() -> None:
    assert judge(Figures(clicks=5, unique_clicks=5), CALM)[0] == "not_enough_data"
    found = click_quality("ptn_1", date(2026, 11, 1), date(2026, 11, 30), Figures(), CALM)
    assert found.in_app_share is None and found.people_share is None
