"""Fit: the score and its factors, and the search tokens and query terms a search matches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from starling.discovery.fit import FIT_WEIGHTS, fit_score
from starling.discovery.terms import matches_query, search_tokens
from starling.shared.errors import Invalid
from tests.fakes.discovery import CREATED, make_creator

NOW = CREATED


# --- fit score ---------------------------------------------------------------------------------------


def test_fit_score_explains_each_factor() -> None:
    # Given a skincare creator in the US at the 80th percentile of their tier
    creator = make_creator(niches=("skincare", "travel"), country="US")
    # When scored for a skincare brand targeting the US
    fit = fit_score(creator, ["Skin Care", "wellness"], ["us"], engagement_percentile=80)
    # Then each factor says what it used and how much it gave
    factors = {f.name: f for f in fit.factors}
    assert set(factors) == {"niche_match", "engagement", "audience_country", "brand_safety"}
    assert factors["niche_match"].value == Decimal("0.50")
    assert "skincare" in factors["niche_match"].explanation
    assert factors["engagement"].value == Decimal("0.80")
    assert "percentile 80" in factors["engagement"].explanation
    assert factors["audience_country"].value == Decimal("1.00")
    assert factors["brand_safety"].contribution == Decimal("0.0")
    # Without past performance, 40/30/20 are scaled to fill 100: (20 + 24 + 20) * 100/90 = 71.1
    assert fit.score == 71
    assert fit.as_dict()["factors"][0]["name"] == "niche_match"


def test_fit_score_uses_past_performance_only_when_present() -> None:
    creator = make_creator(niches=("skincare",), country="US")
    without = fit_score(creator, ["skincare"], ["US"], engagement_percentile=50)
    with_history = fit_score(creator, ["skincare"], ["US"], engagement_percentile=50, past_performance=0)
    assert "past_performance" not in {f.name for f in without.factors}
    assert "past_performance" in {f.name for f in with_history.factors}
    # (40 + 15 + 20) / 90 * 100 = 83.3 without; 40 + 15 + 20 + 0 = 75 with a poor history
    assert without.score == 83
    assert with_history.score == 75
    assert sum(FIT_WEIGHTS.values()) == 100


def test_brand_safety_flags_lower_the_score_up_to_a_cap() -> None:
    creator = make_creator(niches=("skincare",), country="US")
    clean = fit_score(creator, ["skincare"], ["US"], 100, 100)
    one_flag = fit_score(make_creator(niches=("skincare",), country="US", brand_safety_flags=("profanity",)),
                         ["skincare"], ["US"], 100, 100)  # fmt: skip
    many = make_creator(niches=("skincare",), country="US", brand_safety_flags=("a", "b", "c", "d", "e"))
    assert clean.score == 100
    assert one_flag.score == 85
    assert fit_score(many, ["skincare"], ["US"], 100, 100).score == 55
    assert "profanity" in one_flag.factors[-1].explanation


def test_fit_score_never_goes_below_zero() -> None:
    creator = make_creator(niches=("gaming",), country="FR", brand_safety_flags=("a", "b", "c"))
    fit = fit_score(creator, ["skincare"], ["US"], 0)
    assert fit.score == 0


def test_fit_score_counts_unknowns_as_half() -> None:
    fit = fit_score(make_creator(), [], [], 50)
    assert fit.score == 50
    assert all(f.value == Decimal("0.50") for f in fit.factors if f.name != "brand_safety")


def test_fit_score_refuses_out_of_range_percentiles() -> None:
    with pytest.raises(Invalid):
        fit_score(make_creator(), [], [], 101)
    with pytest.raises(Invalid):
        fit_score(make_creator(), [], [], 50, past_performance=-1)


# --- search ------------------------------------------------------------------------------------------


def test_search_tokens_cover_handle_name_and_niches() -> None:
    creator = make_creator(
        handle="zoe.cooks_daily", display_name="Zoë Martín", niches=("home cooking", "baking")
    )
    tokens = search_tokens(creator)
    expected = {
        "zoe.cooks_daily",
        "zoe",
        "cooks",
        "daily",
        "martin",
        "home",
        "cooking",
        "homecooking",
        "baking",
    }
    assert expected <= tokens


def test_query_matches_by_word_prefix_and_needs_every_word() -> None:
    tokens = search_tokens(make_creator(handle="zoe.cooks", display_name="Zoë Martín", niches=("baking",)))
    assert matches_query(tokens, "zo bak")
    assert matches_query(tokens, "MARTIN")
    assert not matches_query(tokens, "zoe travel")
    assert matches_query(tokens, "")


def test_weight_and_contribution_are_both_points_out_of_100_and_the_scaling_is_said() -> None:
    # Given a creator scored without past performance (the 10 points it would weigh are missing)
    creator = make_creator(niches=("skincare",), country="US")
    # When the fit is explained
    fit = fit_score(creator, ["skincare"], ["US"], engagement_percentile=50)
    factors = {f.name: f for f in fit.factors}
    # Then each weight is the most the factor can give here, in the contribution's units
    assert [(f.nominal_weight, f.weight) for f in fit.factors[:3]] == [
        (40, Decimal("44.4")),
        (30, Decimal("33.3")),
        (20, Decimal("22.2")),
    ]
    assert factors["niche_match"].contribution == factors["niche_match"].weight  # a full match gives all
    assert factors["engagement"].contribution == Decimal("16.7")  # half of 33.3
    # And the scaling is explained where the weights are shown
    assert "past_performance is unknown" in fit.weighting
    assert "100/90" in fit.weighting
    assert fit.as_dict()["factors"][0]["weight"] == "44.4"


def test_with_every_factor_known_the_weights_are_the_nominal_ones() -> None:
    fit = fit_score(make_creator(), ["skincare"], ["US"], engagement_percentile=50, past_performance=50)
    assert [f.weight for f in fit.factors[:4]] == [Decimal(40), Decimal(30), Decimal(20), Decimal(10)]
    assert fit.weighting.startswith("Weights in points out of 100: niche_match 40")


@pytest.mark.parametrize(
    ("likes", "shown"), [(100, "1.00%"), (345, "3.45%"), (1_200, "12.00%")]
)  # fmt: skip
def test_the_engagement_explanation_states_the_creators_own_rate(likes: int, shown: str) -> None:
    # Given creators of 10,000 followers with different likes, so different rates
    creator = make_creator(avg_likes=likes, avg_comments=0)
    # When their fit is explained
    fit = fit_score(creator, [], [], engagement_percentile=50)
    # Then the engagement factor states each one's rate, as a percentage
    assert f"Engagement {shown} ranks" in {f.name: f for f in fit.factors}["engagement"].explanation
