"""Creators: tiers, engagement, import parsing, merging, fit score and search tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from starling.discovery.creators import (
    FIT_WEIGHTS,
    MAX_COLUMNS,
    Creator,
    CreatorDraft,
    Platform,
    engagement_percentiles,
    engagement_rate,
    fit_score,
    matches_query,
    merge_creator,
    new_creator,
    parse_count,
    parse_creator_csv,
    parse_creator_rows_json,
    percentile_rank,
    search_tokens,
    tier_for,
)
from starling.identity.model import DEFAULT_TIER_THRESHOLDS
from starling.shared.errors import Invalid

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def make_creator(**overrides: object) -> Creator:
    fields: dict[str, object] = {
        "creator_id": "cre_1",
        "platform": Platform.INSTAGRAM,
        "handle": "alice",
        "created_at": NOW,
        "updated_at": NOW,
        "followers": 10_000,
        "avg_likes": 400,
        "avg_comments": 100,
    }
    fields.update(overrides)
    return Creator(**fields)  # type: ignore[arg-type]


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


# --- parsing counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12345, 12345), ("12,345", 12345), ("12 345", 12345), ("12.5k", 12500), ("1.2M", 1_200_000), ("0", 0)],
)
def test_counts_accept_spreadsheet_spellings(raw: object, expected: int) -> None:
    assert parse_count(raw, "followers", 2_000_000_000) == expected


@pytest.mark.parametrize("raw", ["-5", -5, "1e11", 10**11, "lots", "12.5", True, "nan", "inf"])
def test_counts_refuse_negative_absurd_and_non_numbers(raw: object) -> None:
    with pytest.raises(Invalid):
        parse_count(raw, "followers", 2_000_000_000)


# --- JSON import -------------------------------------------------------------------------------------


def test_json_import_normalises_good_rows() -> None:
    # Given a row typed the way people type
    payload = [
        {
            "handle": "  @Alice.Eats ",
            "platform": "Instagram",
            "followers": "12,500",
            "average_likes": 300,
            "niches": "Food; Travel|food , Vegan",
            "country": "uk",
            "language": "en-US",
            "email": " Alice@Example.COM ",
            "profile_url": "https://instagram.com/alice.eats",
            "notes": "met at\x07 expo\nline two",
        }
    ]
    # When it is parsed
    result = parse_creator_rows_json(payload)
    # Then it becomes one normalised draft
    assert result.rejected == ()
    (draft,) = result.drafts
    assert draft.handle == "alice.eats"
    assert draft.platform is Platform.INSTAGRAM
    assert draft.followers == 12_500
    assert draft.avg_likes == 300
    assert draft.niches == ("food", "travel", "vegan")
    assert draft.country == "GB"
    assert draft.language == "en"
    assert draft.email == "alice@example.com"
    assert draft.notes == "met at expo\nline two"
    assert draft.row == 1


def test_json_import_keeps_good_rows_and_reports_bad_ones_with_fields() -> None:
    # Given one good row and three bad ones
    payload = [
        {"handle": "good", "platform": "tiktok", "followers": 1000},
        {"handle": "neg", "platform": "tiktok", "followers": -3},
        {"platform": "myspace", "email": "nope", "country": "ZZ", "profile_url": "javascript:alert(1)"},
        "not an object",
    ]
    # When parsed
    result = parse_creator_rows_json(payload)
    # Then the good row is kept, and each bad row names its number and fields
    assert [d.handle for d in result.drafts] == ["good"]
    rejected = {r.row: r.errors for r in result.rejected}
    assert rejected[2] == {"followers": "negative"}
    assert set(rejected[3]) == {"handle", "platform", "email", "country", "profile_url"}
    assert rejected[4] == {"row": "not an object"}
    assert result.rejected_dicts[0] == {"row": 2, "errors": {"followers": "negative"}}


def test_json_import_refuses_absurd_follower_counts() -> None:
    result = parse_creator_rows_json([{"handle": "big", "platform": "x", "followers": 10**11}])
    assert result.drafts == ()
    assert "followers" in result.rejected[0].errors


def test_json_import_that_is_not_an_array_is_invalid() -> None:
    with pytest.raises(Invalid):
        parse_creator_rows_json({"handle": "a"})


def test_json_import_over_the_row_limit_is_invalid_as_a_whole() -> None:
    rows = [{"handle": f"h{i}", "platform": "x"} for i in range(11)]
    with pytest.raises(Invalid) as caught:
        parse_creator_rows_json(rows, max_rows=10)
    assert caught.value.details == {"rows": 11, "max_rows": 10}


def test_the_same_creator_twice_in_one_import_is_merged() -> None:
    # Given two rows for @Alice on Instagram, the second adding an email
    payload = [
        {"handle": "alice", "platform": "instagram", "followers": 100},
        {"handle": "@ALICE", "platform": "instagram", "email": "a@example.com"},
    ]
    result = parse_creator_rows_json(payload)
    # Then there is one draft, with both rows' fields
    assert len(result.drafts) == 1
    assert result.duplicates_merged == 1
    assert result.drafts[0].followers == 100
    assert result.drafts[0].email == "a@example.com"


# --- CSV import --------------------------------------------------------------------------------------


def test_csv_with_bom_and_friendly_headers_imports() -> None:
    # Given a CSV exported by Excel, with a BOM and friendly column names
    text = (
        "\ufeffHandle,Platform,Followers Count,Avg Likes,average_comments,Niches,Favourite Colour\r\n"
        'bob,youtube,"25,000",10,2,"tech;gaming",blue\r\n'
    )
    # When parsed
    result = parse_creator_csv(text)
    # Then the BOM does not spoil the first column and the aliases are understood
    (draft,) = result.drafts
    assert draft.handle == "bob"
    assert draft.followers == 25_000
    assert draft.avg_likes == 10
    assert draft.avg_comments == 2
    assert draft.niches == ("tech", "gaming")
    assert result.ignored_columns == ("Favourite Colour",)


def test_csv_rows_are_numbered_from_one_after_the_header() -> None:
    text = "handle,platform,followers\nok,x,10\n\nbad,x,-1\n"
    result = parse_creator_csv(text)
    # The blank line is not a row: the bad row is the second data row
    assert [r.row for r in result.rejected] == [2]
    assert result.drafts[0].row == 1


def test_csv_with_semicolon_delimiter_gets_a_clear_whole_file_error() -> None:
    text = "handle;platform;followers\nalice;instagram;1000\n"
    with pytest.raises(Invalid) as caught:
        parse_creator_csv(text)
    assert "semicolons" in caught.value.message
    assert caught.value.details == {"delimiter": ";"}


def test_csv_with_tab_delimiter_gets_a_clear_whole_file_error() -> None:
    with pytest.raises(Invalid) as caught:
        parse_creator_csv("handle\tplatform\nalice\tx\n")
    assert "tabs" in caught.value.message


def test_csv_without_a_header_row_is_invalid() -> None:
    # Given a file that starts straight with data
    with pytest.raises(Invalid) as caught:
        parse_creator_csv("alice,instagram,1000\nbob,tiktok,2000\n")
    assert "header" in caught.value.message


def test_csv_header_without_required_columns_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        parse_creator_csv("handle,followers\nalice,10\n")
    assert caught.value.details == {"header": {"platform": "required column"}}


def test_empty_csv_is_invalid() -> None:
    with pytest.raises(Invalid):
        parse_creator_csv("\ufeff  \n")


def test_csv_row_with_ten_thousand_columns_is_rejected_alone() -> None:
    # Given a good row and a row of 10,000 cells
    wide = ",".join(["x"] * 10_000)
    text = f"handle,platform\nalice,instagram\n{wide}\ncarol,x\n"
    # When parsed
    result = parse_creator_csv(text)
    # Then only the wide row is rejected, with a message that says why
    assert [d.handle for d in result.drafts] == ["alice", "carol"]
    (rejected,) = result.rejected
    assert rejected.row == 2
    assert "10,000 cells" in rejected.errors["columns"]


def test_csv_header_with_too_many_columns_is_invalid() -> None:
    header = "handle,platform," + ",".join(f"c{i}" for i in range(MAX_COLUMNS))
    with pytest.raises(Invalid):
        parse_creator_csv(header + "\n")


def test_csv_over_the_row_limit_is_invalid() -> None:
    text = "handle,platform\n" + "".join(f"h{i},x\n" for i in range(6))
    with pytest.raises(Invalid) as caught:
        parse_creator_csv(text, max_rows=5)
    assert "at most 5" in caught.value.message


def test_csv_of_ten_thousand_rows_parses() -> None:
    text = "handle,platform,followers\n" + "".join(f"creator{i},instagram,{i}\n" for i in range(10_000))
    result = parse_creator_csv(text)
    assert len(result.drafts) == 10_000
    assert result.rejected == ()


def test_csv_negative_and_absurd_followers_are_rejected_per_row() -> None:
    text = "handle,platform,followers\na,x,-10\nb,x,99999999999\nc,x,5\n"
    result = parse_creator_csv(text)
    assert [d.handle for d in result.drafts] == ["c"]
    assert result.rejected[0].errors == {"followers": "negative"}
    assert "more than" in result.rejected[1].errors["followers"]


def test_csv_keeps_html_as_text_but_drops_control_characters() -> None:
    text = 'handle,platform,name\nzed,x,"<script>alert(1)</script>\x00\x1b"\n'
    (draft,) = parse_creator_csv(text).drafts
    assert draft.display_name == "<script>alert(1)</script>"


def test_csv_with_unterminated_quote_reads_to_the_end_as_one_field() -> None:
    # An unterminated quote swallows the rest of the file into one field, which is then too long or bad
    result = parse_creator_csv('handle,platform,notes\nann,x,"open quote\nbob,x,fine\n')
    assert [d.handle for d in result.drafts] == ["ann"]
    assert result.drafts[0].notes is not None
    assert "bob" in result.drafts[0].notes


def test_csv_with_a_gigantic_field_gets_a_whole_file_error_naming_the_row() -> None:
    text = 'handle,platform,notes\nann,x,fine\nbob,x,"' + "z" * 200_000 + '"\n'
    with pytest.raises(Invalid) as caught:
        parse_creator_csv(text)
    assert caught.value.details["row"] == 2


def test_json_niches_must_be_text_or_a_list_of_text() -> None:
    result = parse_creator_rows_json([{"handle": "a", "platform": "x", "niches": {"beauty": 1}}])
    assert result.rejected[0].errors == {"niches": "not text"}


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


def test_dedup_key_ignores_case_and_at_sign() -> None:
    assert make_creator(handle="alice").key == CreatorDraft(platform=Platform.INSTAGRAM, handle="alice").key
    assert parse_creator_rows_json([{"handle": "@ALICE", "platform": "IG"}]).drafts[0].key == (
        Platform.INSTAGRAM,
        "alice",
    )


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
