"""Rendering a contract: the template's Markdown with its `{{variables}}` filled in, and its SHA-256.

The variables a template may use are fixed (`VARIABLES`); a template naming another is refused when it is
saved, so a document never goes out with a blank where a name should be. The hash is of the rendered
Markdown's UTF-8 bytes: what the partner is shown, what they sign, and what the footer states.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from starling.contracts.model import MAX_TEMPLATE_LENGTH, Contract, RenderedDocument
from starling.shared.errors import Invalid
from starling.shared.terms import Terms, summarize

VARIABLES = (
    "partner_name",
    "partner_handle",
    "brand_name",
    "terms_summary",
    "start_date",
    "contract_id",
    "version",
    "currency",
)
_VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}")


def validate_body(body: object) -> str:
    """Template Markdown that names only known variables."""
    if not isinstance(body, str) or not body.strip():
        raise Invalid("body_markdown must be non-empty text.", {"body_markdown": "empty"})
    if len(body) > MAX_TEMPLATE_LENGTH:
        raise Invalid(
            f"body_markdown is at most {MAX_TEMPLATE_LENGTH} characters.", {"body_markdown": "long"}
        )
    unknown = sorted({name for name in _VARIABLE_RE.findall(body) if name not in VARIABLES})
    if unknown:
        raise Invalid(
            f"body_markdown uses unknown variables: {', '.join(unknown) or '(empty)'}.",
            {"body_markdown": "unknown variables", "unknown": unknown, "known": list(VARIABLES)},
        )
    return body


def sha256_of(markdown: str) -> str:
    return hashlib.sha256(markdown.encode()).hexdigest()


def render(
    body: str,
    *,
    partner_name: str,
    partner_handle: str,
    brand_name: str,
    terms: Terms,
    starts_on: date,
    contract_id: str,
    version: int,
    locale: str = "en_US",
) -> str:
    values = {
        "partner_name": partner_name,
        "partner_handle": partner_handle,
        "brand_name": brand_name,
        "terms_summary": summarize(terms, locale),
        "start_date": starts_on.isoformat(),
        "contract_id": contract_id,
        "version": str(version),
        "currency": terms.currency,
    }
    return _VARIABLE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def document_of(contract: Contract) -> RenderedDocument:
    """The stored document with a footer that states its hash and the signature's."""
    if contract.document_markdown is None or contract.document_sha256 is None:
        markdown = f"Contract {contract.contract_id}: recorded, signed elsewhere on {contract.signed_on}.\n"
        lines = [
            f"Signed elsewhere on {contract.signed_on}; the signed file's SHA-256: {contract.document_sha256}"
        ]
    else:
        markdown = contract.document_markdown
        lines = [f"Document SHA-256: {contract.document_sha256}"]
    signature = contract.signature_hash
    signed = next((e for e in contract.evidence if e.kind == "signed"), None)
    if signed is not None:
        lines.append(
            f"Signed by {signed.data.get('typed_name')} at {signed.at.isoformat()} (UTC); "
            f"signature SHA-256: {signature}"
        )
    elif signature is not None:
        lines.append(f"Record SHA-256: {signature}")
    else:
        lines.append(f"Not signed ({contract.status.value}).")
    countersigned = next((e for e in contract.evidence if e.kind == "countersigned"), None)
    if countersigned is not None:
        lines.append(f"Countersigned at {countersigned.at.isoformat()} (UTC); SHA-256: {countersigned.hash}")
    return RenderedDocument(
        contract_id=contract.contract_id,
        markdown=markdown,
        sha256=contract.document_sha256 or sha256_of(markdown),
        footer="\n".join(lines),
    )
