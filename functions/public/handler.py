"""Public pages (no API key): the brand's application form."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.page_shell import message_page
from functions.public.pages import render_application_page, render_thank_you_page
from starling.discovery.repository import DynamoCreatorRepository
from starling.identity.repository import DynamoIdentityRepository
from starling.recruiting.applications import SpamRejected, prefill
from starling.recruiting.repository import DynamoPartnerRepository, DynamoRateLimiter
from starling.recruiting.service import TooManySubmissions, brand_for_form, submit_application
from starling.shared.email import SesEmailSender
from starling.shared.errors import Invalid, NotFound
from starling.shared.observability import logger, metrics

app = APIGatewayHttpResolver()
MAX_FORM_BYTES = 64 * 1024
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https:; "
    "form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def _email() -> SesEmailSender:
    return SesEmailSender()


def _html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body, headers=_HEADERS)


def _message_page(status: int, title: str, text: str) -> Response:
    return _html(status, message_page(title, text))


@app.get("/apply/<brand_slug>")
def handle_application_form(brand_slug: str) -> Response:
    try:
        brand = brand_for_form(DynamoIdentityRepository(), brand_slug)
    except NotFound:
        return _message_page(404, "Not found", "There is no application form at this address.")
    values = prefill(app.current_event.query_string_parameters)  # an outreach email's link fills these
    return _html(200, render_application_page(brand, values=values))


@app.post("/apply/<brand_slug>")
def handle_application_submit(brand_slug: str) -> Response:
    event = app.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _message_page(415, "Unsupported form", "Send the form as application/x-www-form-urlencoded.")
    raw = event.decoded_body or ""
    if len(raw.encode()) > MAX_FORM_BYTES:
        return _message_page(413, "Too long", "The form is too long; please shorten your pitch.")
    form: dict[str, str | list[str]] = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(raw).items()}
    identity = DynamoIdentityRepository()
    try:
        brand = brand_for_form(identity, brand_slug)
        submitted = submit_application(
            identity,
            DynamoCreatorRepository(),
            DynamoPartnerRepository(),
            DynamoRateLimiter(),
            _email(),
            brand_slug,
            form,
            event.request_context.http.source_ip,
        )
    except NotFound:
        return _message_page(404, "Not found", "There is no application form at this address.")
    except TooManySubmissions as exc:
        return _message_page(429, "Please wait", exc.message)
    except SpamRejected:
        logger.info("Application refused as spam", extra={"brand_slug": brand_slug})
        return _html(200, render_thank_you_page(brand))
    except Invalid as exc:
        errors = exc.details if isinstance(exc.details, dict) else {"form": exc.message}
        return _html(422, render_application_page(brand, errors=errors, values=form))
    metrics.add_metric(name="ApplicationReceived", unit="Count", value=1)
    return _html(200, render_thank_you_page(submitted.brand, submitted.application.name))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
