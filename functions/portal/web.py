"""The portal function's resolver and what its pages share: the session, forms, HTML answers."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import parse_qs, quote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from functions.page_shell import message_page
from functions.partner_wiring import StepFunctionsResumer, aws
from starling.api.events import public_base_url
from starling.contracts.access import SESSION_COOKIE, Session, cookie_value, read_session, safe_next
from starling.contracts.tax import KmsTaxIdCipher
from starling.links.click_secret import portal_session_key
from starling.shared import clock
from starling.shared.errors import Conflict, Invalid, NotFound

app = APIGatewayHttpResolver()
MAX_FORM_BYTES = 16 * 1024
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class UnsupportedForm(Invalid):
    """A form post that is not application/x-www-form-urlencoded."""


@lru_cache(maxsize=1)
def session_key() -> bytes:
    """The key sessions are signed with, derived under its own label from the stack's root secret (the click
    secret, named by PORTAL_SECRET_ARN), read once per process."""
    secret = aws("secretsmanager").get_secret_value(SecretId=os.environ["PORTAL_SECRET_ARN"])
    return portal_session_key(str(secret["SecretString"]))


def html(status: int, body: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=body,
        headers=_HEADERS,
        cookies=cookies,
    )


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(status_code=303, headers={**_HEADERS, "Location": location}, body="", cookies=cookies)


def session_cookie(value: str, max_age: int) -> Cookie:
    """The session cookie: HttpOnly, Secure, SameSite=Lax (an empty value with max_age 0 signs out)."""
    return Cookie(
        name=SESSION_COOKIE, value=value, path="/", secure=True, http_only=True, max_age=max_age,
        same_site=SameSite.LAX_MODE,
    )  # fmt: skip


def form() -> dict[str, str]:
    event = app.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise UnsupportedForm("Send the form as application/x-www-form-urlencoded.")
    raw = event.decoded_body or ""
    if len(raw.encode()) > MAX_FORM_BYTES:
        raise Invalid("The form is too long.")
    return {key: values[-1] for key, values in parse_qs(raw).items()}


def current_session() -> Session | None:
    event = app.current_event
    value = cookie_value(event.get("cookies"), event.headers.get("cookie"))
    return read_session(value, session_key(), clock.now())


def signed_in(route: Callable[..., Response]) -> Callable[..., Response]:
    """The page needs a session (passed first): without one, sign in first and come back here."""

    @wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        session = current_session()
        if session is None:
            return redirect(f"/portal/login?next={quote(safe_next(app.current_event.path), safe='/')}")
        return route(session, *args, **kwargs)

    return wrapper


def query(name: str) -> str:
    return (app.current_event.query_string_parameters or {}).get(name) or ""


def base_url() -> str:
    return public_base_url(app.current_event)


def resumer() -> StepFunctionsResumer:
    return StepFunctionsResumer(aws("stepfunctions"))


def tax_cipher() -> KmsTaxIdCipher:
    return KmsTaxIdCipher(os.environ["TAX_KEY_ID"], aws("kms"))


def _message(status: int, title: str, text: str) -> Response:
    return html(status, message_page(title, text, ("Go to your portal", "/portal")))


@app.not_found
def handle_not_found(_: Exception) -> Response:
    return _message(404, "Not found", "There is no page at this address.")


@app.exception_handler(NotFound)
def handle_missing(_: NotFound) -> Response:
    return _message(404, "Not found", "There is no page at this address.")


@app.exception_handler(UnsupportedForm)
def handle_unsupported_form(exc: UnsupportedForm) -> Response:
    return _message(415, "Unsupported form", exc.message)


@app.exception_handler(Invalid)
def handle_invalid(exc: Invalid) -> Response:
    return _message(400, "Please try again", exc.message)


@app.exception_handler(Conflict)
def handle_conflict(exc: Conflict) -> Response:
    return _message(409, "Not now", exc.message)
