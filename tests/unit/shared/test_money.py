"""Money knows its currency: its minor-unit exponent and how people read it come from Babel's CLDR data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starling.shared.errors import Invalid
from starling.shared.money import (
    Money,
    allocate,
    divide_half_even,
    format_amount,
    is_currency,
    minor_unit_exponent,
    parse_currency,
    parse_locale,
    round_half_even,
)


@pytest.mark.parametrize(
    ("currency", "exponent"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3)]
)
def test_each_currency_has_its_own_minor_unit_exponent(currency: str, exponent: int) -> None:
    assert minor_unit_exponent(currency) == exponent
    assert Money(2499, currency).exponent == exponent


@pytest.mark.parametrize(
    ("money", "major"),
    [
        (Money(2499, "USD"), Decimal("24.99")),
        (Money(2499, "JPY"), Decimal(2499)),
        (Money(2499, "KWD"), Decimal("2.499")),
    ],
)
def test_the_same_2499_minor_units_are_different_amounts_per_currency(money: Money, major: Decimal) -> None:
    assert money.major == major


@pytest.mark.parametrize(
    ("money", "shown"),
    [
        (Money(2499, "USD"), "$24.99"),
        (Money(2499, "JPY"), "¥2,499"),
        (Money(2499, "KWD"), "KWD2.499"),
        (Money(0, "USD"), "$0.00"),
        (Money(123456789, "USD"), "$1,234,567.89"),
    ],
)
def test_amounts_are_shown_as_people_in_en_us_read_them_with_the_currency_s_own_digits(
    money: Money, shown: str
) -> None:
    assert format_amount(money) == format_amount(money, "en_US") == shown


def test_the_locale_decides_the_separators_and_where_the_symbol_goes() -> None:
    assert format_amount(Money(123456, "EUR"), "de_DE") == "1.234,56\xa0€"
    assert format_amount(Money(2499, "JPY"), "ja_JP") == "￥2,499"


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "JPY", "KWD", "BHD", "INR", "CHF"])
def test_currencies_in_use_are_accepted(currency: str) -> None:
    assert is_currency(currency) and parse_currency(currency, "price.currency") == currency


@pytest.mark.parametrize(
    "currency",
    ["ABC", "XXX", "XTS", "XAU", "DEM", "usd", "US", "USDX", "U5D", "", None, 840, "€"],
)
def test_anything_but_an_iso_4217_currency_in_use_is_refused_naming_the_field(currency: object) -> None:
    # Given made-up, no-currency, testing, metal and withdrawn codes (and things that are not codes)
    # When they are parsed as a price's currency, Then each is Invalid naming that field
    assert not is_currency(currency)
    with pytest.raises(Invalid) as caught:
        parse_currency(currency, "price.currency")
    assert caught.value.details == {"price.currency": "not an ISO 4217 code"}


def test_money_in_an_unknown_currency_has_no_exponent() -> None:
    with pytest.raises(Invalid):
        Money(100, "ABC").exponent


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "ja_JP", "ar_KW", "en"])
def test_locales_babel_knows_are_accepted(locale: str) -> None:
    assert parse_locale(locale) == locale


@pytest.mark.parametrize("locale", ["xx_YY", "english", "", None, "../en_US", 1])
def test_other_locales_are_refused_naming_the_field(locale: object) -> None:
    with pytest.raises(Invalid) as caught:
        parse_locale(locale)
    assert "locale" in caught.value.details
    with pytest.raises(Invalid):
        format_amount(Money(100, "USD"), locale)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [("100.5", 100), ("101.5", 102), ("100.49", 100), ("100.51", 101), ("0.5", 0), ("-0.5", 0), ("2", 2)],
)
def test_rounding_to_the_minor_unit_sends_halves_to_the_even_neighbour(exact: str, rounded: int) -> None:
    assert round_half_even(Decimal(exact)) == rounded


def test_a_split_line_gives_the_leftover_cent_to_the_largest_fraction() -> None:
    """Given 10.4 + 20.4 + 30.2 = 61.0 exactly (in tenths: 104, 204, 302), each part's floor (10, 20, 30)
    leaves 1 unit over; the two .4 fractions tie for it and the first wins, so the parts are 11, 20, 30."""
    assert allocate(61, [104, 204, 302], 10) == [11, 20, 30]


def test_allocating_anything_but_the_rounded_sum_is_refused() -> None:
    with pytest.raises(ValueError, match="rounded sum"):
        allocate(70, [104, 204], 10)


@given(
    st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=10**6),
)
def test_split_parts_sum_to_the_rounded_whole_and_each_is_within_a_unit_of_its_exact_share(
    numerators: list[int], denominator: int
) -> None:
    total = divide_half_even(sum(numerators), denominator)
    shares = allocate(total, numerators, denominator)
    assert sum(shares) == total
    for share, numerator in zip(shares, numerators, strict=True):
        assert abs(share * denominator - numerator) < denominator


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=1, max_value=10**9))
def test_integer_division_rounds_half_to_even_exactly(numerator: int, denominator: int) -> None:
    exact = Decimal(numerator) / Decimal(denominator)  # 28 digits: exact enough for these sizes
    assert divide_half_even(numerator, denominator) == round_half_even(exact)
