"""Single values as people type them (in a spreadsheet, on a form), read into one normal form or refused.

Each reader returns the normal form, or raises Invalid (422) naming the field at fault. Countries and
languages come from pycountry's ISO 3166 and ISO 639 databases (see docs/decisions.md, "Countries and
languages"): a country is an alpha-2 code, read from an alpha-2 or alpha-3 code or an English name; a language
is an ISO 639-1 code, read from the code, a regional tag ("en-US") or an English name. Names are matched
exactly (ignoring case and spaces around them), never guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import pycountry

from starling.shared.errors import Invalid

MAX_EMAIL_LENGTH = 254
MAX_URL_LENGTH = 2048

# Codes in use that ISO 3166 does not list: the EU's and the UK's own, and Kosovo's, which payment and tax
# systems use. Looked up before pycountry.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR", "XK": "XK", "KOSOVO": "XK"}
_EXTRA_COUNTRY_NAMES = {"XK": "Kosovo"}

_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LANGUAGE_TAG_RE = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]{2,8})*$")
_LIST_SPLIT_RE = re.compile(r"[;|,]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: str, multiline: bool = False) -> str:
    """The text without control characters (tabs and newlines kept when `multiline`), trimmed."""
    if multiline:
        return _CONTROL_RE.sub("", value).strip()
    return _CONTROL_ONE_LINE_RE.sub("", re.sub(r"[\t\r\n]+", " ", value)).strip()


def normalise_email(value: str) -> str:
    """The address lowercased and trimmed, or Invalid when it does not look like an email address."""
    email = clean_text(value).lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(email):
        raise Invalid(f"'{value}' is not an email address.", {"email": "not an email address"})
    return email


def _country(text: str) -> Any:
    countries = pycountry.countries
    if len(text) == 2:
        return countries.get(alpha_2=text)
    if len(text) == 3 and text.isalpha():
        found = countries.get(alpha_3=text)
        if found is not None:
            return found
    return countries.get(name=text) or countries.get(common_name=text) or countries.get(official_name=text)


def normalise_country(value: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country given by its alpha-2 or alpha-3 code or its English name
    ("IN", "IND", "India", "india" are all "IN"); Invalid naming `country` otherwise."""
    text = " ".join(clean_text(value).split())
    alias = _COUNTRY_ALIASES.get(text.upper())
    if alias is not None:
        return alias
    found = _country(text) if text else None
    if found is None:
        raise Invalid(
            f"'{value}' is not a country: use an ISO 3166 code (IN or IND) or the country's English name.",
            {"country": "not an ISO 3166 country code or English country name"},
        )
    return str(found.alpha_2)


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code ("IN" is "India"); LookupError for an unknown code."""
    code = code.upper()
    if code in _EXTRA_COUNTRY_NAMES:
        return _EXTRA_COUNTRY_NAMES[code]
    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        raise LookupError(code)
    return str(getattr(found, "common_name", None) or found.name)


def normalise_language(value: str) -> str:
    """An ISO 639-1 code, lowercase, from the code, a regional tag ('en-US' is 'en') or the English name
    ('German' is 'de'); Invalid naming `language` otherwise."""
    text = " ".join(clean_text(value).split())
    match = _LANGUAGE_TAG_RE.match(text.lower())
    found = (
        pycountry.languages.get(alpha_2=match.group(1))
        if match
        else pycountry.languages.get(name=text)
        if text
        else None
    )
    if found is None or not getattr(found, "alpha_2", None):
        raise Invalid(
            f"'{value}' is not a language: use an ISO 639-1 code (de) or the language's English name.",
            {"language": "not an ISO 639-1 code or English language name"},
        )
    return str(found.alpha_2)


def language_name(code: str) -> str:
    """The English name of an ISO 639-1 code ("de" is "German"); LookupError for an unknown code."""
    found = pycountry.languages.get(alpha_2=code.lower())
    if found is None:
        raise LookupError(code)
    return str(found.name)


def normalise_url(value: str, field_name: str = "profile_url") -> str:
    url = clean_text(value)
    if len(url) > MAX_URL_LENGTH:
        raise Invalid(f"{field_name} is too long.", {field_name: f"at most {MAX_URL_LENGTH} characters"})
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{field_name} must be an http(s) URL.", {field_name: "not an http(s) URL"})
    return url


def parse_count(value: Any, field_name: str, maximum: int) -> int:
    """A whole, non-negative count. Accepts 12345, "12,345", "12 345", "12.5k" and "1.2M"."""
    if isinstance(value, bool):
        raise Invalid(f"{field_name} must be a number.", {field_name: "not a number"})
    if isinstance(value, int):
        number = Decimal(value)
    else:
        text = clean_text(str(value)).lower().replace(",", "").replace("_", "").replace(" ", "")
        multiplier = 1
        if text[-1:] in ("k", "m", "b"):
            multiplier = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}[text[-1]]
            text = text[:-1]
        try:
            number = Decimal(text) * multiplier
        except (InvalidOperation, ValueError):
            raise Invalid(f"{field_name} must be a number.", {field_name: "not a number"}) from None
        if not number.is_finite():
            raise Invalid(f"{field_name} must be a number.", {field_name: "not a number"})
    if number < 0:
        raise Invalid(f"{field_name} cannot be negative.", {field_name: "negative"})
    if number > maximum:
        raise Invalid(f"{field_name} is more than {maximum:,}.", {field_name: f"more than {maximum:,}"})
    if number != number.to_integral_value():
        raise Invalid(f"{field_name} must be a whole number.", {field_name: "not a whole number"})
    return int(number)


def parse_tags(value: Any, field_name: str, max_items: int, max_length: int) -> tuple[str, ...]:
    """Lowercase tags from a list, or from text split by ';', '|' or ','; blanks and repeats dropped."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    elif isinstance(value, str):
        items = _LIST_SPLIT_RE.split(value)
    else:
        raise Invalid(f"{field_name} must be text or a list of text.", {field_name: "not text"})
    tags: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise Invalid(f"{field_name} must be text.", {field_name: "not text"})
        tag = " ".join(clean_text(item).lower().split())
        if not tag:
            continue
        if len(tag) > max_length:
            raise Invalid(
                f"A {field_name} entry is too long.", {field_name: f"an entry over {max_length} characters"}
            )
        tags[tag] = None
    if len(tags) > max_items:
        raise Invalid(f"At most {max_items} {field_name}.", {field_name: f"more than {max_items}"})
    return tuple(tags)
