"""Importing creators: JSON and CSV parsing into drafts, with rejected rows and whole-file errors."""

from __future__ import annotations

import pytest

from starling.discovery.importing import MAX_COLUMNS, parse_creator_csv, parse_creator_rows_json
from starling.discovery.model import Platform
from starling.shared.errors import Invalid
from tests.fakes.discovery import CREATED

NOW = CREATED


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
