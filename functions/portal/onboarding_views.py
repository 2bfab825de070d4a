"""The onboarding steps a partner completes in the portal: profile, payout method, tax form. Each saved
step resumes the onboarding workflow (starling.contracts.portal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.portal import pages
from functions.portal.web import app, form, html, query, redirect, resumer, signed_in, tax_cipher
from starling.contracts import portal
from starling.contracts.access import Session
from starling.contracts.onboarding import Onboarding
from starling.contracts.onboarding_repository import DynamoOnboardingStore
from starling.identity.model import Brand
from starling.identity.repository import DynamoIdentityRepository
from starling.shared.errors import Invalid
from starling.shared.observability import metrics


def _brand(session: Session) -> Brand:
    return DynamoIdentityRepository().get_brand(session.brand_id)


def _profile_values(onboarding: Onboarding) -> dict[str, str]:
    p = onboarding.profile
    return {"display_name": p.display_name, "bio": p.bio, "photo_url": p.photo_url or ""} if p else {}


def _payout_values(onboarding: Onboarding) -> dict[str, str]:
    p = onboarding.payout
    return {"kind": p.kind.value, "reference": p.reference} if p else {}


def _submit(
    session: Session,
    step: Callable[[dict[str, Any]], Onboarding],
    render: Callable[[Brand, dict[str, str], dict[str, str]], str],
) -> Response:
    fields = form()
    try:
        done = step(fields)
    except Invalid as exc:
        errors = exc.details if isinstance(exc.details, dict) else {"form": exc.message}
        safe = {k: v for k, v in fields.items() if k != "tax_id"}  # a tax id is never sent back
        return html(422, render(_brand(session), safe, errors))
    metrics.add_metric(name="OnboardingStepCompleted", unit="Count", value=1)
    # On to the next step still to do, or home when all are done.
    target = pages.STEP_LABELS[done.next_step][1] if done.next_step is not None else "/portal"
    return redirect(target)


@app.get("/portal/onboarding/profile")
@signed_in
def handle_profile_form(session: Session) -> Response:
    onboarding = DynamoOnboardingStore().get(session.brand_id, session.partner_id)
    return html(200, pages.profile_page(_brand(session), _profile_values(onboarding), {}))


@app.post("/portal/onboarding/profile")
@signed_in
def handle_profile_submit(session: Session) -> Response:
    store = DynamoOnboardingStore()
    return _submit(
        session, lambda f: portal.complete_profile(store, resumer(), session, f), pages.profile_page
    )


@app.get("/portal/onboarding/payout")
@signed_in
def handle_payout_form(session: Session) -> Response:
    onboarding = DynamoOnboardingStore().get(session.brand_id, session.partner_id)
    return html(200, pages.payout_page(_brand(session), _payout_values(onboarding), {}))


@app.post("/portal/onboarding/payout")
@signed_in
def handle_payout_submit(session: Session) -> Response:
    store = DynamoOnboardingStore()
    return _submit(session, lambda f: portal.complete_payout(store, resumer(), session, f), pages.payout_page)


def _tax_kind(value: str) -> str:
    return "w8ben" if value == "w8ben" else "w9"


@app.get("/portal/onboarding/tax")
@signed_in
def handle_tax_form(session: Session) -> Response:
    onboarding = DynamoOnboardingStore().get(session.brand_id, session.partner_id)
    tax = onboarding.tax
    kind = _tax_kind(query("kind") or (tax.kind.value if tax else "w9"))
    values = {"legal_name": tax.legal_name, "address": tax.address, "country": tax.country} if tax else {}
    return html(200, pages.tax_page(_brand(session), kind, values, {}, tax.masked_tax_id if tax else ""))


@app.post("/portal/onboarding/tax")
@signed_in
def handle_tax_submit(session: Session) -> Response:
    store = DynamoOnboardingStore()

    def render(brand: Brand, values: dict[str, str], errors: dict[str, str]) -> str:
        return pages.tax_page(brand, _tax_kind(values.get("kind", "w9")), values, errors)

    return _submit(session, lambda f: portal.complete_tax(store, resumer(), tax_cipher(), session, f), render)
