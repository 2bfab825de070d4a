"""Tax forms: a W-9 (US persons) or a W-8BEN (everyone else), as the fields a partner types on a phone.

The tax id (SSN/EIN on a W-9, the foreign TIN on a W-8BEN) is encrypted with KMS before it is stored and is
never shown again in full: pages and the API show it masked, its last four characters only
(`mask_tax_id`). The rest of the form is plain: names, country and address are needed on statements.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from starling.shared.errors import Invalid
from starling.shared.kms import kms_encrypt

W9_CLASSIFICATIONS = ("individual", "sole_proprietor", "llc", "c_corporation", "s_corporation", "partnership")
_US_TIN = re.compile(r"^\d{3}-?\d{2}-?\d{4}$|^\d{2}-?\d{7}$")
_FOREIGN_TIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{3,29}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class TaxFormKind(StrEnum):
    W9 = "w9"
    W8BEN = "w8ben"


class TaxIdCipher(Protocol):
    """Encrypts tax ids (KMS in the product)."""

    def encrypt(self, plaintext: str, context: dict[str, str]) -> bytes: ...


@dataclass(frozen=True)
class TaxForm:
    """A submitted form as stored: the tax id only encrypted, and its last four characters."""

    kind: TaxFormKind
    legal_name: str
    country: str
    address: str
    tax_id_last4: str
    tax_id_ciphertext: str  # base64 of the KMS ciphertext blob
    certified_at: datetime
    classification: str | None = None  # W-9
    date_of_birth: str | None = None  # W-8BEN

    @property
    def masked_tax_id(self) -> str:
        return mask_tax_id(self.tax_id_last4)


def mask_tax_id(last4: str) -> str:
    """What anyone sees of a tax id: bullets and its last four characters."""
    return "•••••" + last4[-4:]


def _text(form: dict[str, Any], name: str, errors: dict[str, str], max_length: int = 200) -> str:
    value = " ".join(str(form.get(name) or "").split())
    if not value:
        errors[name] = "required"
    elif len(value) > max_length:
        errors[name] = f"at most {max_length} characters"
    return value


def parse_tax_form(
    form: dict[str, Any], cipher: TaxIdCipher, brand_id: str, partner_id: str, now: datetime
) -> TaxForm:
    """The form from the portal's fields, validated as a whole (Invalid names each field at fault), with
    the tax id encrypted under the partner's encryption context."""
    errors: dict[str, str] = {}
    try:
        kind = TaxFormKind(str(form.get("kind") or "").strip().lower())
    except ValueError:
        raise Invalid("Choose W-9 or W-8BEN.", {"kind": "w9 or w8ben"}) from None
    legal_name = _text(form, "legal_name", errors)
    address = _text(form, "address", errors, 400)
    tax_id = str(form.get("tax_id") or "").strip()
    classification = date_of_birth = None
    if kind is TaxFormKind.W9:
        country = "US"
        classification = str(form.get("classification") or "").strip()
        if classification not in W9_CLASSIFICATIONS:
            errors["classification"] = "choose one"
        if not _US_TIN.match(tax_id):
            errors["tax_id"] = "an SSN (123-45-6789) or EIN (12-3456789)"
    else:
        country = str(form.get("country") or "").strip().upper()
        if not _COUNTRY.match(country) or country == "US":
            errors["country"] = "your country (two letters, not US: US persons send a W-9)"
        date_of_birth = str(form.get("date_of_birth") or "").strip()
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", date_of_birth):
            errors["date_of_birth"] = "YYYY-MM-DD"
        if not _FOREIGN_TIN.match(tax_id):
            errors["tax_id"] = "your tax id in your country"
    if str(form.get("certify") or "") not in ("on", "true", "yes"):
        errors["certify"] = "confirm the certification"
    if errors:
        raise Invalid("Some fields need another look.", errors)
    digits = re.sub(r"[^A-Za-z0-9]", "", tax_id)
    blob = cipher.encrypt(digits, {"brand_id": brand_id, "partner_id": partner_id})
    return TaxForm(
        kind=kind,
        legal_name=legal_name,
        country=country,
        address=address,
        tax_id_last4=digits[-4:],
        tax_id_ciphertext=base64.b64encode(blob).decode(),
        certified_at=now,
        classification=classification,
        date_of_birth=date_of_birth,
    )


class KmsTaxIdCipher:
    """Encrypts with the tax key (KMS); the portal may encrypt, and nothing in Starling decrypts today."""

    def __init__(self, key_id: str, client: Any) -> None:
        self._key_id = key_id
        self._client = client

    def encrypt(self, plaintext: str, context: dict[str, str]) -> bytes:
        return kms_encrypt(self._client, self._key_id, plaintext, context)
