"""Money: an integer amount of its currency's minor units, and an ISO 4217 currency that is really in use.

"Minor units" means something different per currency: 2499 is $24.99 in USD, ¥2,499 in JPY (exponent 0)
and KWD 2.499 in KWD (exponent 3). So a currency is accepted only when Babel's CLDR data, a maintained
source, knows it as legal tender somewhere today: `XXX` (no currency), `XTS` (testing), `XAU` (gold),
withdrawn currencies such as `DEM` and made-up codes such as `ABC` are refused. The exponent and the way
people read an amount come from the same data, so a three-decimal currency is never shown with two.
The API keeps integers; `format_amount` is for people (emails, statements, pages, exports).

Babel is imported where it is first needed, not with this module: importing it costs about 0.1 s, which the
authorizer (it reads brands, so it imports this module) should not pay on a cold start for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Any

from starling.shared.clock import today
from starling.shared.errors import Invalid

DEFAULT_LOCALE = "en_US"


@cache
def active_currencies() -> frozenset[str]:
    """The ISO 4217 codes that are legal tender in some territory today, by CLDR (read once per process)."""
    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    day = today()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=day, tender=True))
    return frozenset(codes)


def is_currency(value: object) -> bool:
    return isinstance(value, str) and value in active_currencies()


def parse_currency(value: Any, field: str = "currency") -> str:
    """`value` when it is an ISO 4217 currency in use today; else Invalid naming `field`."""
    if not is_currency(value):
        raise Invalid(
            f"{field} is an ISO 4217 currency in use, in uppercase, like USD, EUR or JPY.",
            {field: "not an ISO 4217 code"},
        )
    return str(value)


def minor_unit_exponent(currency: str) -> int:
    """How many digits follow the decimal point: 2 for USD, 0 for JPY, 3 for KWD."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(parse_currency(currency)))


@dataclass(frozen=True)
class Money:
    """An amount in the currency's minor units (1999 USD is $19.99) and an ISO 4217 code."""

    amount: int
    currency: str

    @property
    def exponent(self) -> int:
        return minor_unit_exponent(self.currency)

    @property
    def major(self) -> Decimal:
        """The amount in major units, exactly: Decimal('24.99') for 2499 USD, Decimal('2499') for JPY."""
        return Decimal(self.amount).scaleb(-self.exponent)


@cache
def known_locales() -> frozenset[str]:
    """Every locale identifier Babel has data for (en_US, de_DE, ja_JP, ...)."""
    from babel import localedata

    return frozenset(localedata.locale_identifiers())


def parse_locale(value: Any, field: str = "locale") -> str:
    """A locale Babel knows, spelled as Babel spells it; else Invalid naming `field`."""
    if not isinstance(value, str) or value not in known_locales():
        raise Invalid(f"{field} is a locale like en_US, de_DE or ja_JP.", {field: "unknown locale"})
    return value


def format_amount(money: Money, locale: str = DEFAULT_LOCALE) -> str:
    """The amount as people in `locale` read it, with the currency's own digits: $24.99, ¥2,499, KWD2.499."""
    from babel.numbers import format_currency

    return str(
        format_currency(
            money.major,
            money.currency,
            locale=parse_locale(locale),
            currency_digits=True,
            decimal_quantization=True,
        )
    )


def round_half_even(exact: Decimal) -> int:
    """`exact` minor units rounded to a whole minor unit, half to even (banker's rounding): 100.5 → 100,
    101.5 → 102. Ties go up as often as down, so rounding many lines neither drifts up nor down."""
    return int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))


def allocate(total: int, numerators: Sequence[int], denominator: int) -> list[int]:
    """Whole minor units for the exact parts numerators[i] / denominator that sum to exactly `total`
    (largest remainder): each part gets its floor, and the units left go one each to the parts with the
    largest fractions (the earlier one on a tie). `total` is the rounded sum of the parts, so no part moves
    by a whole unit or more, and splitting a line never creates nor loses a cent."""
    floors = [numerator // denominator for numerator in numerators]
    left = total - sum(floors)
    if not 0 <= left <= len(floors):
        raise ValueError(f"{total} is not the rounded sum of {list(numerators)} / {denominator}")
    by_fraction = sorted(range(len(floors)), key=lambda i: -(numerators[i] % denominator))
    for i in by_fraction[:left]:
        floors[i] += 1
    return floors


def divide_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, exactly (integers only, no Decimal precision limit)."""
    if denominator <= 0:
        raise ValueError("the denominator is positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient
