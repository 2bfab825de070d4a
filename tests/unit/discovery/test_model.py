"""Creators: tiers, engagement, who a creator is within an owner, and creating them from drafts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from starling.discovery.fit import engagement_percentiles, percentile_rank
from starling.discovery.importing import parse_creator_rows_json
from starling.discovery.model import (
    CreatorDraft,
    Platform,
    engagement_rate,
    merge_creator,
    new_creator,
    tier_for,
)
from starling.identity.model import DEFAULT_TIER_THRESHOLDS
from starling.shared.errors import Invalid
from tests.fakes.discovery import CREATED, make_creator

NOW = CREATED


# --- tiers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
        (50_000_000, "mega"),
    ],
)
def test_default_tier_boundaries_follow_design(followers: int, tier: str) -> None:
    # Given the default thresholds, When a count is tiered, Then a boundary belongs to the upper tier
    assert tier_for(followers) == tier
    assert tier_for(followers, DEFAULT_TIER_THRESHOLDS) == tier


def test_custom_tier_thresholds_move_the_boundaries() -> None:
    # Given a brand that calls 5,000 followers micro and 50,000 mid
    thresholds = {"nano": 0, "micro": 5_000, "mid": 50_000, "macro": 250_000, "mega": 2_000_000}
    # Then the tiers follow the brand's numbers, not the defaults
    assert tier_for(4_999, thresholds) == "nano"
    assert tier_for(5_000, thresholds) == "micro"
    assert tier_for(50_000, thresholds) == "mid"
    assert tier_for(1_999_999, thresholds) == "macro"
    assert tier_for(2_000_000, thresholds) == "mega"


def test_negative_followers_have_no_tier() -> None:
    with pytest.raises(Invalid):
        tier_for(-1)


# --- engagement --------------------------------------------------------------------------------------


def test_engagement_is_likes_plus_comments_over_followers() -> None:
    # Given 400 likes and 100 comments on 10,000 followers, Then engagement is 5 %
    assert engagement_rate(make_creator()) == Decimal("0.0500")


def test_engagement_on_video_platforms_is_views_based() -> None:
    # Given a TikTok creator with 3,000 average views and 10,000 followers
    creator = make_creator(platform=Platform.TIKTOK, avg_views=3_000)
    # Then engagement uses views, not likes and comments
    assert engagement_rate(creator) == Decimal("0.3000")
    assert engagement_rate(make_creator(platform=Platform.YOUTUBE, avg_views=1_234)) == Decimal("0.1234")


def test_engagement_on_video_platform_without_views_falls_back_to_likes() -> None:
    assert engagement_rate(make_creator(platform=Platform.YOUTUBE, avg_views=0)) == Decimal("0.0500")


def test_engagement_with_zero_followers_is_zero() -> None:
    assert engagement_rate(make_creator(followers=0, avg_likes=50)) == Decimal(0)


def test_percentile_rank_counts_below_and_half_of_ties() -> None:
    sample = [Decimal("0.01"), Decimal("0.02"), Decimal("0.03"), Decimal("0.04")]
    assert percentile_rank(Decimal("0.05"), sample) == 100
    assert percentile_rank(Decimal("0.00"), sample) == 0
    assert percentile_rank(Decimal("0.03"), sample) == 63  # 2 below + half of 1 tie = 2.5/4
    assert percentile_rank(Decimal("0.03"), []) == 50


def test_engagement_percentiles_compare_only_within_a_tier() -> None:
    # Given two nano creators and a micro one whose rate would top the nanos
    low_nano = make_creator(creator_id="n1", followers=1_000, avg_likes=10, avg_comments=0)
    high_nano = make_creator(creator_id="n2", followers=1_000, avg_likes=50, avg_comments=0)
    micro = make_creator(creator_id="m1", followers=20_000, avg_likes=20_000, avg_comments=0)
    # When percentiles are computed
    result = engagement_percentiles([low_nano, high_nano, micro])
    # Then the micro creator is alone in its tier and does not push the nanos down
    assert result == {"n1": 25, "n2": 75, "m1": 50}


def test_dedup_key_ignores_case_and_at_sign() -> None:
    assert make_creator(handle="alice").key == CreatorDraft(platform=Platform.INSTAGRAM, handle="alice").key
    assert parse_creator_rows_json([{"handle": "@ALICE", "platform": "IG"}]).drafts[0].key == (
        Platform.INSTAGRAM,
        "alice",
    )


# --- creating and merging ----------------------------------------------------------------------------


def test_new_creator_takes_draft_fields_and_defaults() -> None:
    draft = CreatorDraft(platform=Platform.X, handle="dan", followers=50, niches=("tech",))
    creator = new_creator(draft, NOW, creator_id="cre_9")
    assert creator.creator_id == "cre_9"
    assert creator.followers == 50
    assert creator.avg_likes == 0
    assert creator.niches == ("tech",)
    assert creator.discoverable is False


def test_reimport_merges_into_existing_creator() -> None:
    # Given an existing creator with an email and notes
    existing = make_creator(email="old@example.com", notes="keep me", country="US", discoverable=True)
    # When a re-import brings new followers and niches but leaves email and notes empty
    later = NOW + timedelta(days=3)
    incoming = CreatorDraft(platform=Platform.INSTAGRAM, handle="alice", followers=12_000, niches=("beauty",))
    merged = merge_creator(existing, incoming, later)
    # Then the id and created_at stay, the import's fields win, and empty ones keep the old values
    assert merged.creator_id == existing.creator_id
    assert merged.created_at == NOW
    assert merged.updated_at == later
    assert merged.followers == 12_000
    assert merged.niches == ("beauty",)
    assert merged.email == "old@example.com"
    assert merged.notes == "keep me"
    assert merged.country == "US"
    assert merged.discoverable is True


def test_merge_refuses_a_different_creator() -> None:
    with pytest.raises(Invalid):
        merge_creator(make_creator(), CreatorDraft(platform=Platform.TIKTOK, handle="alice"), NOW)
