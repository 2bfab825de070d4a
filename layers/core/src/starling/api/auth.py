"""Who is calling and whether the role may do it.

Each /v1 route declares what it needs with `@requires(area, write=...)` under its route decorator. The
`authenticate` and `authorize` middlewares check both before the body is read and before an idempotent
answer is replayed (see starling.api.gate), so a route's own code starts from a caller who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.router import Router

from starling.api.gate import matched_route
from starling.identity.model import Area, IdentityRepository, Principal, can_read, can_write
from starling.identity.service import resolve_principal
from starling.shared.errors import Forbidden, Unauthorized

PROTECTED_PREFIX = "/v1/"
_ACCESS_ATTRIBUTE = "__starling_access__"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    """What a route needs: an area read or written; no area means any role of the brand (GET /v1/me)."""

    area: Area | None
    write: bool = False

    def check(self, caller: Principal) -> None:
        if self.area is None:
            return
        allowed = can_write(caller.role, self.area) if self.write else can_read(caller.role, self.area)
        if not allowed:
            action = "change" if self.write else "read"
            raise Forbidden(
                f"The {caller.role.value} role cannot {action} {self.area.value.replace('_', ' ')}."
            )


def requires(area: Area | None, write: bool = False) -> Callable[[F], F]:
    """Declare the access a route needs; put it under the route decorator."""

    def declare(func: F) -> F:
        setattr(func, _ACCESS_ATTRIBUTE, Access(area, write))
        return func

    return declare


def declared_access(func: Callable[..., Any]) -> Access | None:
    found: Access | None = getattr(func, _ACCESS_ATTRIBUTE, None)
    return found


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


def authorize(app: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
    """Middleware: the caller's role must allow what the matched /v1 route declared. A /v1 route that
    declares nothing is refused, so a forgotten declaration fails closed."""
    caller: Principal | None = app.context.get("principal")
    if caller is not None:
        route = matched_route(app)
        if route is None:
            return next_middleware(app)  # an unknown path: the API's 404 or 405
        access = declared_access(route.func)
        if access is None:
            raise Forbidden("This route declares no access rule.")
        access.check(caller)
    return next_middleware(app)


def principal(router: Router | APIGatewayHttpResolver) -> Principal:
    found: Principal = router.context["principal"]
    return found
