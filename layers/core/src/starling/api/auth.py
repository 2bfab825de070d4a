"""Who is calling and whether the role may do it."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.router import Router

from starling.domain.identity import Principal
from starling.domain.roles import Area, can_read, can_write
from starling.errors import Forbidden, Unauthorized
from starling.logic.identity import IdentityRepository, resolve_principal

PROTECTED_PREFIX = "/v1/"


def authenticate(repo_factory: Callable[[], IdentityRepository]) -> Callable[..., Response]:
    """Middleware for every /v1 request. A key the authorizer could not resolve is refused without a
    database read; any other key is resolved again with a consistent read, so a revoked key is refused at
    once even while API Gateway still caches the authorizer's earlier answer."""

    def middleware(app: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
        event = app.current_event
        if event.path.startswith(PROTECTED_PREFIX):
            verdict = (
                (event.request_context.authorizer.get_lambda or {})
                if event.request_context.authorizer
                else {}
            )
            if verdict.get("authenticated") is False:
                raise Unauthorized(str(verdict.get("reason") or "This API key is unknown or revoked."))
            principal = resolve_principal(repo_factory(), event.headers.get("authorization"))
            app.append_context(principal=principal)
        return next_middleware(app)

    return middleware


def principal(router: Router | APIGatewayHttpResolver) -> Principal:
    found: Principal = router.context["principal"]
    return found


def require(router: Router | APIGatewayHttpResolver, area: Area, write: bool = False) -> Principal:
    caller = principal(router)
    allowed = can_write(caller.role, area) if write else can_read(caller.role, area)
    if not allowed:
        action = "change" if write else "read"
        raise Forbidden(f"The {caller.role.value} role cannot {action} {area.value.replace('_', ' ')}.")
    return caller
