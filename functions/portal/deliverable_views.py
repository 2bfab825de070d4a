"""The partner's posts: submit one for review (checked at once) and follow each one's decision."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler import Response

from functions.portal import deliverable_pages
from functions.portal.web import app, base_url, form, html, redirect, signed_in
from starling.contracts.access import Session
from starling.conversions.deliverables_service import DeliverablesService
from starling.identity.repository import DynamoIdentityRepository
from starling.shared.errors import Invalid
from starling.shared.settings import Settings


@lru_cache(maxsize=4)
def _services(settings: Settings) -> DeliverablesService:
    return DeliverablesService.from_settings(settings)


def _service() -> DeliverablesService:
    return _services(Settings.from_env())


def _page(session: Session, status: int, values: dict[str, str], errors: dict[str, str]) -> Response:
    service = _service()
    brand = DynamoIdentityRepository().get_brand(session.brand_id)
    posts = service.partner_posts(session.brand_id, session.partner_id)
    disclosures = service.settings(session.brand_id).disclosures
    return html(status, deliverable_pages.deliverables_page(brand, posts, disclosures, values, errors))


@app.get("/portal/deliverables")
@signed_in
def handle_posts(session: Session) -> Response:
    return _page(session, 200, {}, {})


@app.post("/portal/deliverables")
@signed_in
def handle_submit_post(session: Session) -> Response:
    fields = form()
    try:
        posted = _service().submit(session.brand_id, session.partner_id, dict(fields), base_url())
    except Invalid as exc:
        errors = exc.details if isinstance(exc.details, dict) else {"caption": exc.message}
        return _page(session, 422, fields, {k: str(v) for k, v in errors.items()})
    return redirect(f"/portal/deliverables#{posted.deliverable_id}")
