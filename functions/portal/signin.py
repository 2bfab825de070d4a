"""Signing in to the portal: asking for a magic link, opening it, signing out."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from functions.partner_wiring import email_sender
from functions.portal import pages
from functions.portal.web import (
    app,
    base_url,
    current_session,
    form,
    html,
    query,
    redirect,
    session_cookie,
    session_key,
)
from starling.contracts import portal
from starling.contracts.access import SESSION_LIFETIME, LinkState, hash_secret, safe_next, sign_session
from starling.contracts.onboarding_repository import DynamoMagicLinkStore, DynamoPortalAccounts
from starling.identity.repository import DynamoIdentityRepository
from starling.shared import clock
from starling.shared.observability import metrics

MAX_SECRET_LENGTH = 200


@app.get("/portal/login")
def handle_login_form() -> Response:
    if current_session() is not None:
        return redirect(safe_next(query("next")))
    return html(200, pages.login_page(safe_next(query("next"))))


@app.post("/portal/login")
def handle_login_request() -> Response:
    """The same answer whether or not the address is a partner's: the form tells nobody who is one."""
    fields = form()
    address = fields.get("email", "").strip()
    next_path = safe_next(fields.get("next"))
    if "@" not in address or len(address) > 254:
        return html(
            422, pages.login_page(next_path, "Enter the email address the brand has for you.", address)
        )
    portal.request_sign_in(
        DynamoPortalAccounts(), DynamoMagicLinkStore(), email_sender(), address, base_url(), next_path
    )
    return html(200, pages.check_email_page(address))


@app.get("/portal/auth")
def handle_magic_link() -> Response:
    """Opening the email's link shows a Sign in button; its POST uses the link up. Mail scanners that
    fetch links before the partner does cannot spend it."""
    secret = query("token")
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return html(200, pages.link_problem_page(LinkState.UNKNOWN.value))
    state, link = DynamoMagicLinkStore().peek(hash_secret(secret), clock.now())
    if state is not LinkState.OPENED or link is None:
        return html(200, pages.link_problem_page(state.value, link.next_path if link else "/portal"))
    brand = DynamoIdentityRepository().get_brand(link.brand_id)
    return html(200, pages.confirm_sign_in_page(secret, brand.name))


@app.post("/portal/auth")
def handle_sign_in() -> Response:
    opened = portal.open_magic_link(DynamoMagicLinkStore(), form().get("token", ""))
    if opened.session is None:
        return html(200, pages.link_problem_page(opened.state.value))
    metrics.add_metric(name="PortalSignIn", unit="Count", value=1)
    value = sign_session(opened.session, session_key())
    return redirect(opened.next_path, [session_cookie(value, int(SESSION_LIFETIME.total_seconds()))])


@app.post("/portal/logout")
def handle_sign_out() -> Response:
    return redirect("/portal/login", [session_cookie("", 0)])
