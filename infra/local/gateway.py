"""The HTTP API of the template, served on a real HTTP server.

Each request is matched to a route of the template the way API Gateway HTTP APIs match them (exact path,
then path variables, then greedy `{proxy+}`, then `$default`), passes the route's Lambda authorizer (with
its result cache), and goes to the route's function as a payload 2.0 event through moto's Lambda Invoke,
which runs the handler in-process. The function's answer becomes the HTTP response.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.local.template import ACCOUNT_ID, Template

# Paths under this prefix are the local cloud's own developer tools; they never reach the template's routes.
LOCAL_TOOLS_PREFIX = "/_local/"
_TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|x-www-form-urlencoded|javascript)|.*\+json|.*\+xml)")


@dataclass
class Authorizer:
    function_name: str
    identity_source: list[str]
    ttl_seconds: int
    simple_responses: bool
    # identity -> (expiry, answer). The server's request threads share it without a lock: each read and write
    # is one dict operation, which is atomic, and an entry is never changed in place. Two requests that miss
    # at once both ask the authorizer and the later answer stays, as can happen with API Gateway's cache.
    cache: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Route:
    route_key: str
    method: str  # an HTTP method, ANY, or $default
    segments: list[str]
    function_name: str
    authorizer: Authorizer | None

    def match(self, method: str, path_segments: list[str]) -> dict[str, str] | None:
        if self.method == "$default":
            return {}
        if self.method not in ("ANY", method):
            return None
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.endswith("+}"):
                rest = path_segments[index:]
                if not rest:
                    return None
                params[segment[1:-2]] = "/".join(rest)
                return params
            if index >= len(path_segments):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = path_segments[index]
            elif segment != path_segments[index]:
                return None
        return params if len(self.segments) == len(path_segments) else None

    def specificity(self, method: str) -> tuple[int, ...]:
        """Smaller is more specific: API Gateway prefers exact paths, then variables, then greedy."""
        greedy = any(s.endswith("+}") for s in self.segments)
        variables = sum(1 for s in self.segments if s.startswith("{"))
        return (self.method == "$default", greedy, variables, -len(self.segments), self.method != method)


def _function_name(arn: str) -> str:
    found = re.search(r"function:([^/:]+)", arn)
    if not found:
        raise ValueError(f"No function in {arn}")
    return found.group(1)


def load_routes(template: Template) -> list[Route]:
    integrations = {
        template.physical_ids[lid]: _function_name(template.resolve(r["Properties"]["IntegrationUri"]))
        for lid, r in template.of_type("AWS::ApiGatewayV2::Integration").items()
    }
    authorizers = {}
    for lid, resource in template.of_type("AWS::ApiGatewayV2::Authorizer").items():
        props = template.resolve(resource["Properties"])
        authorizers[template.physical_ids[lid]] = Authorizer(
            function_name=_function_name(props["AuthorizerUri"]),
            identity_source=list(props.get("IdentitySource", [])),
            ttl_seconds=int(props.get("AuthorizerResultTtlInSeconds", 0)),
            simple_responses=bool(props.get("EnableSimpleResponses", False)),
        )
    routes = []
    for resource in template.of_type("AWS::ApiGatewayV2::Route").values():
        props = template.resolve(resource["Properties"])
        route_key = props["RouteKey"]
        method, _, path = route_key.partition(" ")
        routes.append(
            Route(
                route_key=route_key,
                method=method,
                segments=[s for s in path.split("/") if s],
                function_name=integrations[props["Target"].removeprefix("integrations/")],
                authorizer=authorizers.get(props.get("AuthorizerId", "")),
            )
        )
    return routes


@dataclass
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _json_response(status: int, message: str) -> GatewayResponse:
    return GatewayResponse(
        status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode()
    )


class Gateway:
    def __init__(self, routes: list[Route], lambda_client: Any, region: str, host: str, port: int) -> None:
        self.routes = routes
        self._lambda = lambda_client
        self._region = region
        self._host = host
        self._port = port
        # Called after each request with (method, path and query, status, milliseconds); `starling dev`
        # prints one console line per request with it.
        self.access_log: Callable[[str, str, int, float], None] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server else self._port

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                started = time.monotonic()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers: dict[str, str] = {}
                for name, value in self.headers.items():
                    key = name.lower()
                    headers[key] = f"{headers[key]},{value}" if key in headers else value
                response = gateway.handle(self.command, self.path, headers, body, self.client_address[0])
                self.send_response(response.status)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
                if gateway.access_log is not None:
                    elapsed = (time.monotonic() - started) * 1000
                    gateway.access_log(self.command, self.path, response.status, elapsed)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
            # Any other method goes to the function too, which answers 405 with Allow (never a 501).
            do_TRACE = do_CONNECT = do_PROPFIND = do_QUERY = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((self._host, self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # Request handling
    def select_route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        segments = [s for s in path.split("/") if s]
        matches = [
            (route, params) for route in self.routes if (params := route.match(method, segments)) is not None
        ]
        if not matches:
            return None
        return min(matches, key=lambda m: m[0].specificity(method))

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> GatewayResponse:
        url = urlsplit(target)
        if url.path.startswith(LOCAL_TOOLS_PREFIX):
            return local_tools(url.path, self._region, method, body)
        selected = self.select_route(method, url.path)
        if selected is None:
            return _json_response(404, "Not Found")
        route, path_parameters = selected
        event = self._event(route, method, url.path, url.query, headers, body, source_ip, path_parameters)
        if route.authorizer is not None:
            verdict = self._authorize(route.authorizer, event)
            if isinstance(verdict, GatewayResponse):
                return verdict
            event["requestContext"]["authorizer"] = {"lambda": verdict}
        return self._invoke(route.function_name, event)

    def _event(
        self,
        route: Route,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
        path_parameters: dict[str, str],
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        pairs = parse_qsl(query, keep_blank_values=True)
        query_parameters: dict[str, str] = {}
        for key, value in pairs:
            query_parameters[key] = f"{query_parameters[key]},{value}" if key in query_parameters else value
        is_text = not body or bool(_TEXT_TYPES.match(headers.get("content-type", "text/plain")))
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": path,
            "rawQueryString": query,
            "headers": {
                **{k: v for k, v in headers.items() if k != "cookie"},
                # API Gateway adds these; here the client talks plain HTTP to this server.
                # API Gateway appends the peer's address to what the client sent.
                "x-forwarded-for": ", ".join(
                    part for part in (headers.get("x-forwarded-for", "").strip(), source_ip) if part
                ),
                "x-forwarded-port": str(self.port),
                "x-forwarded-proto": "http",
            },
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": "local",
                "domainName": headers.get("host", f"{self._host}:{self.port}"),
                "domainPrefix": "local",
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": uuid.uuid4().hex,
                "routeKey": route.route_key,
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "isBase64Encoded": not is_text,
        }
        if "cookie" in headers:
            event["cookies"] = [
                c.strip() for c in headers["cookie"].replace(",", ";").split(";") if c.strip()
            ]
        if query_parameters:
            event["queryStringParameters"] = query_parameters
        if path_parameters:
            event["pathParameters"] = path_parameters
        if body:
            event["body"] = body.decode("utf-8", "replace") if is_text else base64.b64encode(body).decode()
        return event

    def _authorize(self, authorizer: Authorizer, event: dict[str, Any]) -> dict[str, Any] | GatewayResponse:
        identity = []
        for source in authorizer.identity_source:
            name = source.rsplit(".", 1)[1].lower()
            value = event["headers"].get(name) if source.startswith("$request.header.") else None
            if source.startswith("$request.querystring."):
                value = (event.get("queryStringParameters") or {}).get(source.rsplit(".", 1)[1])
            if not value:
                return _json_response(401, "Unauthorized")
            identity.append(value)
        key = tuple(identity)
        cached = authorizer.cache.get(key)
        if cached and cached[0] > time.monotonic():
            answer = cached[1]
        else:
            authorizer_event = {
                **event,
                "type": "REQUEST",
                "routeArn": f"arn:aws:execute-api:{self._region}:{ACCOUNT_ID}:local/$default/"
                f"{event['requestContext']['http']['method']}{event['rawPath']}",
                "identitySource": identity,
            }
            result = self._lambda.invoke(
                FunctionName=authorizer.function_name, Payload=json.dumps(authorizer_event).encode()
            )
            if result.get("FunctionError"):
                return _json_response(500, "Internal Server Error")
            answer = json.loads(result["Payload"].read())
            if authorizer.ttl_seconds > 0:
                authorizer.cache[key] = (time.monotonic() + authorizer.ttl_seconds, answer)
        if not answer.get("isAuthorized"):
            return _json_response(403, "Forbidden")
        context: dict[str, Any] = answer.get("context") or {}
        return context

    def _invoke(self, function_name: str, event: dict[str, Any]) -> GatewayResponse:
        result = self._lambda.invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
        if result.get("FunctionError"):
            return _json_response(500, "Internal Server Error")
        answer = json.loads(result["Payload"].read() or b"null")
        if not isinstance(answer, dict) or "statusCode" not in answer:
            return GatewayResponse(200, [("Content-Type", "application/json")], json.dumps(answer).encode())
        headers = [(k, str(v)) for k, v in (answer.get("headers") or {}).items()]
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            headers.extend((name, str(v)) for v in values)
        headers.extend(("Set-Cookie", cookie) for cookie in answer.get("cookies") or [])
        body = answer.get("body") or ""
        raw = base64.b64decode(body) if answer.get("isBase64Encoded") else str(body).encode()
        return GatewayResponse(int(answer["statusCode"]), headers, raw)


def sent_emails(region: str) -> list[dict[str, Any]]:
    """Every email SES on moto accepted, oldest first."""
    from moto.ses.models import ses_backends

    messages = ses_backends[ACCOUNT_ID][region].sent_messages
    return [
        {
            "id": m.id,
            "from": m.source,
            "to": [a for addresses in getattr(m, "destinations", {}).values() for a in addresses],
            "subject": getattr(m, "subject", None),
            "body": getattr(m, "body", None) or getattr(m, "raw_data", None),
        }
        for m in messages
    ]


def _time_scale(method: str, body: bytes) -> GatewayResponse:
    """GET the local cloud's time scale, or PUT {"time_scale": x} to change it while it runs (a wait that has
    begun keeps its scale): how an e2e test runs a 14-day expiry against `starling dev` in a second."""
    from infra.local import stepfunctions

    if method == "PUT":
        try:
            value = json.loads(body or b"{}").get("time_scale")
        except (ValueError, AttributeError):
            value = None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1000:
            return _json_response(422, "time_scale is a number from 0 to 1000")
        stepfunctions.set_time_scale(float(value))
    elif method != "GET":
        return _json_response(405, "Method Not Allowed")
    answer = json.dumps({"time_scale": stepfunctions.time_scale()}).encode()
    return GatewayResponse(200, [("Content-Type", "application/json")], answer)


def local_tools(path: str, region: str, method: str = "GET", body: bytes = b"") -> GatewayResponse:
    if path.rstrip("/") == "/_local/time-scale":
        return _time_scale(method, body)
    if path.rstrip("/") == "/_local/outbox":
        return GatewayResponse(
            200, [("Content-Type", "application/json")], json.dumps(sent_emails(region), default=str).encode()
        )
    return _json_response(404, "Not Found")
