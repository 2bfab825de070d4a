"""Single values as people type them: counts, and countries and languages by code or English name."""

from __future__ import annotations

import pytest

from starling.shared.errors import Invalid
from starling.shared.values import (
    country_name,
    language_name,
    normalise_country,
    normalise_language,
    parse_count,
)

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


# --- countries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("IN", "IN"), ("in", "IN"), (" IND ", "IN"), ("India", "IN"), ("india", "IN"), ("INDIA", "IN"),
        ("United States", "US"), ("USA", "US"), ("United States of America", "US"), ("Germany", "DE"),
        ("DEU", "DE"), ("Taiwan", "TW"), ("Czechia", "CZ"), ("United  Kingdom", "GB"),
    ],
)  # fmt: skip
def test_a_country_is_read_from_its_alpha_2_or_alpha_3_code_or_its_english_name(
    typed: str, code: str
) -> None:
    assert normalise_country(typed) == code


@pytest.mark.parametrize(
    ("typed", "code"), [("UK", "GB"), ("uk", "GB"), ("EL", "GR"), ("XK", "XK"), ("Kosovo", "XK")]
)
def test_codes_in_use_outside_iso_3166_still_read_as_before(typed: str, code: str) -> None:
    assert normalise_country(typed) == code


@pytest.mark.parametrize("typed", ["ZZ", "Indya", "Inde", "Atlantis", "840", "🇮🇳", "", "U S"])
def test_a_country_that_is_not_an_exact_code_or_name_is_invalid_naming_the_field(typed: str) -> None:
    # Given something that is no country's code or English name (nothing is guessed)
    # When it is read, Then it is refused with the field at fault
    with pytest.raises(Invalid) as refused:
        normalise_country(typed)
    assert isinstance(refused.value.details, dict) and "country" in refused.value.details


def test_a_country_code_has_its_english_name() -> None:
    assert [country_name(c) for c in ("IN", "us", "DE", "TW", "XK")] == [
        "India", "United States", "Germany", "Taiwan", "Kosovo",
    ]  # fmt: skip
    with pytest.raises(LookupError):
        country_name("ZZ")


# --- languages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("de", "de"), ("DE", "de"), ("German", "de"), ("german", "de"), ("English", "en"), ("en-US", "en"),
     ("pt_BR", "pt"), ("zh-Hant-TW", "zh"), (" Japanese ", "ja")],
)  # fmt: skip
def test_a_language_is_read_from_its_iso_639_1_code_a_regional_tag_or_its_english_name(
    typed: str, code: str
) -> None:
    assert normalise_language(typed) == code


@pytest.mark.parametrize("typed", ["xx", "Germn", "Klingon", "deu", "", "e"])
def test_a_language_without_an_iso_639_1_code_is_invalid_naming_the_field(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        normalise_language(typed)
    assert isinstance(refused.value.details, dict) and "language" in refused.value.details


def test_a_language_code_has_its_english_name() -> None:
    assert [language_name(c) for c in ("de", "EN", "ja")] == ["German", "English", "Japanese"]
    with pytest.raises(LookupError):
        language_name("xx")
