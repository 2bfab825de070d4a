"""The portal's contract pages: the list, one contract to read and sign (ESIGN consent, typed name with
the intent statement) or decline. Every value shown is escaped here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from functions.portal.pages import shell
from starling.contracts.model import (
    ESIGN_DISCLOSURE,
    INTENT_STATEMENT,
    Contract,
    ContractStatus,
    RenderedDocument,
)
from starling.identity.model import Brand

CONTRACT_CSS = (
    "<style>.doc{background:#fff;border:1px solid #e2e2e2;border-radius:10px;padding:1rem;"
    "white-space:pre-wrap;"
    "overflow-wrap:anywhere;font-size:.9375rem;max-height:60vh;overflow:auto}"
    ".hash{font-family:ui-monospace,monospace;font-size:.75rem;overflow-wrap:anywhere;color:#555}"
    ".badge{display:inline-block;padding:.125rem .5rem;border-radius:999px;background:#e5e7eb;"
    "font-size:.875rem}"
    ".badge.ok{background:#dcfce7;color:#166534}.badge.no{background:#fee2e2;color:#991b1b}"
    "details{margin:1rem 0}summary{min-height:44px;padding:.5rem 0;color:#b00020;font-weight:600}"
    "button.secondary{display:block;width:100%;min-height:48px;margin:.5rem 0;font:inherit;font-weight:600;"
    "color:#b00020;background:#fff;border:2px solid #b00020;border-radius:6px}</style>"
)
STATUS_LABELS = {
    ContractStatus.SENT: ("Waiting for your signature", ""),
    ContractStatus.SIGNED: ("Signed", "ok"),
    ContractStatus.COUNTERSIGNED: ("Signed by both sides", "ok"),
    ContractStatus.ACTIVE: ("Active", "ok"),
    ContractStatus.SUPERSEDED: ("Replaced by a newer version", ""),
    ContractStatus.DECLINED: ("Declined", "no"),
    ContractStatus.EXPIRED: ("Expired", "no"),
}


def _badge(status: ContractStatus) -> str:
    label, kind = STATUS_LABELS.get(status, (status.value, ""))
    return f'<span class="badge {kind}">{escape(label)}</span>'


def contracts_page(brand: Brand, contracts: Sequence[Contract]) -> str:
    if not contracts:
        body = (
            '<h1>Your contracts</h1><p class="muted">Your contract appears here once the brand sends it.</p>'
        )
        return shell(brand, "/portal/contracts", "Contracts", body)
    items = "".join(
        f'<section class="card"><h2><a href="/portal/contracts/{escape(c.contract_id)}">Contract, version '
        f"{c.version}</a></h2><p>{_badge(c.status)}</p>"
        f'<p class="muted">From {c.starts_on.isoformat()}</p></section>'
        for c in sorted(contracts, key=lambda c: c.version, reverse=True)
    )
    return shell(brand, "/portal/contracts", "Contracts", f"{CONTRACT_CSS}<h1>Your contracts</h1>{items}")


def contract_page(
    brand: Brand,
    contract: Contract,
    document: RenderedDocument,
    errors: Mapping[str, str] | None = None,
    typed_name: str = "",
) -> str:
    errors = errors or {}
    cid = escape(contract.contract_id)
    summary = f'<p class="summary" role="alert">{escape(next(iter(errors.values())))}</p>' if errors else ""
    body = (
        f'{CONTRACT_CSS}<p><a href="/portal/contracts">← Contracts</a></p>'
        f"<h1>Your contract with {escape(brand.name)}</h1><p>{_badge(contract.status)}</p>{summary}"
        f'<div class="doc" tabindex="0" aria-label="The contract">{escape(document.markdown)}</div>'
        f'<p class="hash">Document SHA-256: {escape(document.sha256)}</p>'
        f'<p><a href="/portal/contracts/{cid}/document" download>Download the contract</a></p>'
    )
    if contract.status is ContractStatus.SENT:
        consent_error = errors.get("consent", "")
        name_error = errors.get("typed_name", "")
        body += (
            f'<form method="post" action="/portal/contracts/{cid}/sign" novalidate>'
            f'<input type="hidden" name="document_sha256" value="{escape(document.sha256)}">'
            f'<div class="check"><input type="checkbox" id="consent" name="consent" value="yes">'
            f'<label for="consent">{escape(ESIGN_DISCLOSURE)}</label></div>'
            + (f'<p class="error">{escape(consent_error)}</p>' if consent_error else "")
            + '<label for="typed_name">Type your full name</label>'
            f'<span class="hint">{escape(INTENT_STATEMENT)}</span>'
            f'<input type="text" id="typed_name" name="typed_name" autocomplete="name"'
            f' value="{escape(typed_name)}">'
            + (f'<p class="error">{escape(name_error)}</p>' if name_error else "")
            + '<button class="primary" type="submit">Sign the contract</button></form>'
            "<details><summary>I don't want to sign</summary>"
            f'<form method="post" action="/portal/contracts/{cid}/decline">'
            '<label for="reason">Why (optional; the brand sees it)</label>'
            '<textarea id="reason" name="reason" maxlength="1000"></textarea>'
            '<button class="secondary" type="submit">Decline the contract</button></form></details>'
        )
    return shell(brand, "/portal/contracts", "Contract", body)
