"""Terms: a partner's pay written as rules a program runs, one validated document.

Campaigns carry default terms, contracts carry the terms a partner signed, and conversions and payouts
compute money from exactly this model. Every part is optional but `currency`; amounts are integers in
minor units of that currency, rates are Decimal strings ("10" or "12.5" percent), never floats.

Terms are validated as a whole, so a contradiction is refused when the terms are written, not found when a
statement is computed: tiers that overlap or are out of order, a percent above 100, a part in another
currency, a retainer with no start or ending before it starts, a monthly cap below the flat fee, the
retainer or the minimum payout. `parse_terms` turns any refusal into one Invalid whose details name each
field at fault and why.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from starling.shared.errors import Invalid
from starling.shared.money import Money, format_amount, is_currency

MAX_AMOUNT = 10_000_000_000  # 100,000,000.00 in a currency of two decimals: anything above is a typo
MAX_TIERS = 20
MAX_GIFTS = 50
_RATE_RE = re.compile(r"^\d{1,3}(\.\d{1,4})?$")


def _parse_rate(value: Any) -> Decimal:
    """A percent as a Decimal string from "0" to "100" with at most 4 decimals; numbers are refused so no
    float ever becomes a rate."""
    if not isinstance(value, str | Decimal) or isinstance(value, bool):
        raise ValueError('a rate is a decimal string such as "10" or "12.5", not a number')
    text = str(value).strip()
    if not _RATE_RE.match(text):
        raise ValueError('a rate is a decimal string such as "10" or "12.5" (at most 4 decimals)')
    rate = Decimal(text)
    if rate > 100:
        raise ValueError(f"a percent is at most 100, not {text}")
    return rate


Percent = Annotated[
    Decimal,
    BeforeValidator(_parse_rate),
    PlainSerializer(lambda rate: format(rate, "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,3}(\.\d{1,4})?$", "examples": ["10"]}),
]
MinorUnits = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT, description="Minor units: 1999 is 19.99")]
Currency = Annotated[str, Field(strict=True, min_length=3, max_length=3, description="ISO 4217: USD, EUR")]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PricedPart(_Part):
    """A part with an amount; its currency, when given, must be the terms' currency."""

    currency: Currency | None = None


class PerPost(_PricedPart):
    amount: MinorUnits
    posts: int = Field(strict=True, ge=1, le=1000, description="How many posts the amount pays for each")


class FlatFee(_PricedPart):
    amount: MinorUnits
    due_on: date


class Retainer(_PricedPart):
    amount: MinorUnits = Field(description="Paid each month, in minor units")
    starts_on: date | None = Field(default=None, description="Required: the first month it is paid")
    ends_on: date | None = None
    prorate: bool = Field(default=True, description="A partial first or last month pays its share of days")


class Gift(_PricedPart):
    product_id: str = Field(min_length=1, max_length=64)
    value: MinorUnits = Field(description="What the gift costs the brand; a cost, never paid out")


class Tier(_Part):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: MinorUnits = Field(
        alias="from", description="Monthly attributed sales from which the rate applies"
    )
    cpa_percent: Percent


def _refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("amounts are integers in minor units (1999 for 19.99), never decimals")
    return value


class Terms(_Part):
    """One partner's pay rules (design.md, "Compensation terms")."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "currency": "USD",
                    "cpa_percent": "10",
                    "tiers": [{"from": 0, "cpa_percent": "10"}, {"from": 500000, "cpa_percent": "15"}],
                    "flat_fee": {"amount": 20000, "due_on": "2026-12-01"},
                    "cap": 100000,
                    "lock_days": 30,
                }
            ]
        },
    )

    currency: Currency
    cpa_percent: Percent | None = Field(default=None, description="Percent of each attributed sale")
    cpa_fixed: Annotated[MinorUnits | None, BeforeValidator(_refuse_float)] = None
    cpc: Annotated[MinorUnits | None, BeforeValidator(_refuse_float)] = None
    per_post: PerPost | None = None
    flat_fee: FlatFee | None = None
    retainer_monthly: Retainer | None = None
    gifting: list[Gift] = Field(default_factory=list, max_length=MAX_GIFTS)
    tiers: list[Tier] = Field(default_factory=list, max_length=MAX_TIERS)
    cap: Annotated[MinorUnits | None, BeforeValidator(_refuse_float)] = Field(
        default=None, description="The most a partner earns in a month"
    )
    lock_days: int | None = Field(default=None, strict=True, ge=0, le=365)
    attribution_window_days: int | None = Field(default=None, strict=True, ge=1, le=365)
    min_payout: Annotated[MinorUnits | None, BeforeValidator(_refuse_float)] = None

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency in use (USD, EUR, JPY...)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Terms:
        problems = terms_problems(self)
        if problems:
            raise ValueError("; ".join(f"{field}: {why}" for field, why in problems.items()))
        return self

    def rate_for(self, monthly_sales: int) -> Decimal | None:
        """The CPA percent for a month whose attributed sales so far are `monthly_sales` (minor units):
        the highest tier reached, else `cpa_percent`."""
        rate = self.cpa_percent
        for tier in self.tiers:
            if monthly_sales >= tier.from_:
                rate = tier.cpa_percent
        return rate

    def as_document(self) -> dict[str, Any]:
        """The JSON form: `from` for tiers, no unset or empty parts, rates as strings."""
        document = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {name: value for name, value in document.items() if value != []}


def terms_problems(terms: Terms) -> dict[str, str]:
    """Each contradiction in otherwise well-formed terms, by the field at fault."""
    problems: dict[str, str] = {}
    for name in ("per_post", "flat_fee", "retainer_monthly"):
        part = getattr(terms, name)
        if part is not None and part.currency not in (None, terms.currency):
            problems[f"{name}.currency"] = (
                f"{part.currency} differs from the terms' currency {terms.currency}"
            )
    for i, gift in enumerate(terms.gifting):
        if gift.currency not in (None, terms.currency):
            problems[f"gifting.{i}.currency"] = (
                f"{gift.currency} differs from the terms' currency {terms.currency}"
            )
    retainer = terms.retainer_monthly
    if retainer is not None:
        if retainer.starts_on is None:
            problems["retainer_monthly.starts_on"] = "a retainer needs the date it starts"
        elif retainer.ends_on is not None and retainer.ends_on < retainer.starts_on:
            problems["retainer_monthly.ends_on"] = "the retainer ends before it starts"
    starts = [tier.from_ for tier in terms.tiers]
    if len(set(starts)) != len(starts):
        problems["tiers"] = "two tiers start at the same sales: they overlap"
    elif starts != sorted(starts):
        problems["tiers"] = "tiers are listed by the sales they start from, lowest first"
    elif terms.tiers and terms.tiers[0].from_ > 0 and terms.cpa_percent is None:
        problems["tiers"] = "below the first tier no rate applies: start it from 0 or give cpa_percent"
    elif (
        terms.tiers
        and terms.tiers[0].from_ == 0
        and terms.cpa_percent not in (None, terms.tiers[0].cpa_percent)
    ):
        problems["cpa_percent"] = "differs from the tier that starts from 0; give one rate for those sales"
    if terms.cap is not None:
        for name, amount in (
            ("flat_fee", terms.flat_fee.amount if terms.flat_fee else None),
            ("retainer_monthly", retainer.amount if retainer else None),
            ("min_payout", terms.min_payout),
        ):
            if amount is not None and terms.cap < amount:
                problems["cap"] = (
                    f"the monthly cap {terms.cap} is below the {name.replace('_', ' ')} {amount}"
                )
                break
    return problems


def parse_terms(data: Any, field: str = "terms") -> Terms:
    """Terms from their JSON form; Invalid with each field at fault (`terms.tiers: ...`) otherwise."""
    if isinstance(data, Terms):
        return data
    if not isinstance(data, dict):
        raise Invalid(f"{field} is an object with at least a currency.", {field: "not an object"})
    try:
        return Terms.model_validate(data)
    except ValidationError as exc:
        details: dict[str, str] = {}
        for err in exc.errors():
            loc = ".".join(str(part) for part in err.get("loc", ()))
            message = str(err.get("msg", "")).removeprefix("Value error, ")
            if loc:
                details[f"{field}.{loc}"] = message
                continue
            for problem in message.split("; "):  # the whole-terms check: "part: why; part: why"
                part, _, why = problem.partition(": ")
                details[f"{field}.{part}"] = why
        first = next(iter(details.items()))
        raise Invalid(f"These terms cannot be run: {first[0]}: {first[1]}", details) from exc


def summarize(terms: Terms, locale: str = "en_US") -> str:
    """The terms in plain words, one part a line, for the contract's text and emails."""

    def money(amount: int) -> str:
        return format_amount(Money(amount, terms.currency), locale)

    lines: list[str] = []
    if terms.tiers:
        steps = ", ".join(f"{t.cpa_percent}% from {money(t.from_)}" for t in terms.tiers)
        base = f"{terms.cpa_percent}% of each sale, then " if terms.tiers[0].from_ > 0 else ""
        lines.append(f"Commission: {base}{steps} of attributed sales in the month")
    elif terms.cpa_percent is not None:
        lines.append(f"Commission: {terms.cpa_percent}% of each attributed sale")
    if terms.cpa_fixed is not None:
        lines.append(f"A fixed {money(terms.cpa_fixed)} for each attributed sale")
    if terms.cpc is not None:
        lines.append(f"{money(terms.cpc)} for each billable click")
    if terms.per_post:
        lines.append(f"{money(terms.per_post.amount)} per post, for {terms.per_post.posts} posts")
    if terms.flat_fee:
        lines.append(f"A flat fee of {money(terms.flat_fee.amount)}, due {terms.flat_fee.due_on.isoformat()}")
    retainer = terms.retainer_monthly
    if retainer is not None and retainer.starts_on is not None:
        until = f" until {retainer.ends_on.isoformat()}" if retainer.ends_on else ""
        lines.append(
            f"A retainer of {money(retainer.amount)} a month from {retainer.starts_on.isoformat()}{until}"
        )
    for gift in terms.gifting:
        lines.append(f"Gifted product {gift.product_id}, worth {money(gift.value)}")
    if terms.cap is not None:
        lines.append(f"Earnings are capped at {money(terms.cap)} a month")
    if terms.lock_days is not None:
        lines.append(f"Commissions are confirmed {terms.lock_days} days after the sale (returns)")
    if terms.attribution_window_days is not None:
        lines.append(f"A sale counts within {terms.attribution_window_days} days of the click")
    if terms.min_payout is not None:
        lines.append(f"Payouts from {money(terms.min_payout)}; less carries to the next month")
    return "\n".join(f"- {line}" for line in lines) or f"- Paid in {terms.currency}; no pay parts set"
