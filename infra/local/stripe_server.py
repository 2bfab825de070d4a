"""A small Stripe-compatible server on 127.0.0.1: the project's one stand-in (docs/decisions.md).

No payment network is reachable locally, so the local cloud serves the few Stripe endpoints Starling uses,
and the real `stripe` SDK is pointed at it through its base address (STRIPE_API_BASE):
- `POST /v1/accounts`, `GET /v1/accounts/{id}`: connected accounts;
- `POST /v1/transfers`, `GET /v1/transfers` (filters `transfer_group`, `destination`; `limit`,
  `starting_after`), `GET /v1/transfers/{id}`: transfers from the platform's balance;
- `GET /v1/balance`: what the platform has left to transfer.
Objects and errors have the shapes of Stripe's OpenAPI fixtures (stripe/openapi, openapi/fixtures3.json),
which tests/integration/payouts/test_stripe_server.py checks with the real SDK.

Idempotency follows Stripe's rules: a POST's `Idempotency-Key` saves the first answer of a request that
began executing (a success or a refusal such as `balance_insufficient`) and replays it, with
`Idempotent-Replayed: true`, to the same key with the same parameters; the same key with other parameters
or on another endpoint is a 400 `idempotency_error`; while the first is still running, a 409
`idempotency_key_in_use`. Requests refused before they executed (bad parameters, 429, the injected 500)
save nothing, so the same key may try again.

A control route (no auth, `/_control/...`, JSON) tells an account how its next transfers go:
`POST /_control/accounts/{id}/mode {"mode": ..., "times": n}` with mode
- `ok`: transfers succeed;
- `inactive`: 400 `insufficient_capabilities_for_transfer` (the account's transfers capability is off);
- `insufficient_funds`: 400 `balance_insufficient`;
- `timeout`: the request hangs, nothing happens, and the connection closes without an answer;
- `succeed_then_timeout`: the transfer is made (and its answer saved under the key), then the request hangs
  and closes without an answer: the money moved, the answer was lost;
- `server_error` (500) and `rate_limited` (429), before executing.
`times` (optional) makes the mode last that many transfer requests, then `ok` again. Also:
`POST /_control/idempotency/expire` (24 hours pass: every saved key is forgotten),
`POST /_control/balance {"currency": "usd", "amount": n}`, `GET /_control/summary` (totals transferred).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MODES = (
    "ok",
    "inactive",
    "insufficient_funds",
    "timeout",
    "succeed_then_timeout",
    "server_error",
    "rate_limited",
)
DEFAULT_BALANCE = 100_000_000_000  # minor units per currency the platform starts with
IDEMPOTENCY_MESSAGE = (
    "Keys for idempotent requests can only be used with the same parameters they were first used with. "
    "Try using a key other than '{key}' if you meant to execute a different request."
)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # hold the request, then close it without this answer


@dataclass
class _Mode:
    mode: str = "ok"
    times: int | None = None  # None: until told otherwise

    def take(self) -> str:
        mode = self.mode
        if self.times is not None:
            self.times -= 1
            if self.times <= 0:
                self.mode, self.times = "ok", None
        return mode


@dataclass
class _Saved:
    method: str
    path: str
    params: list[tuple[str, str]]
    answer: Answer | None  # None: still running


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _error(status: int, kind: str, message: str, code: str | None = None, param: str | None = None) -> Answer:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    return Answer(status, {"error": error})


def _api_key(authorization: str) -> str:
    """The key of `Bearer sk_...` (the SDK) or of HTTP Basic `sk_...:` (Stripe's curl examples); any key
    is taken, as in Stripe's test mode no key is special here."""
    scheme, _, value = authorization.partition(" ")
    if scheme == "Bearer":
        return value.strip()
    if scheme == "Basic":
        try:
            return base64.b64decode(value).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def _nested(params: list[tuple[str, str]], name: str) -> dict[str, str]:
    """`metadata[statement_id]=st_1` → {"statement_id": "st_1"}."""
    prefix = f"{name}["
    return {k[len(prefix) : -1]: v for k, v in params if k.startswith(prefix) and k.endswith("]")}


class StripeState:
    """What the server knows: accounts, transfers, the platform's balance, saved idempotent answers."""

    def __init__(self, initial_balance: int = DEFAULT_BALANCE) -> None:
        self._lock = threading.RLock()
        self.accounts: dict[str, dict[str, Any]] = {}
        self.transfers: list[dict[str, Any]] = []  # oldest first
        self.available: dict[str, int] = defaultdict(lambda: initial_balance)
        self.modes: dict[str, _Mode] = defaultdict(_Mode)
        self.saved: dict[str, _Saved] = {}

    # The API
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        url = urlsplit(target)
        segments = [s for s in url.path.split("/") if s]
        if segments[:1] == ["_control"]:
            return self._control(method, segments[1:], body)
        if not _api_key(headers.get("authorization", "")):
            return _error(
                401, "invalid_request_error",
                "You did not provide an API key: Authorization: Bearer sk_..., or curl -u sk_...:",
            )  # fmt: skip
        try:
            params = parse_qsl(body.decode() if method == "POST" else url.query, keep_blank_values=True)
        except UnicodeDecodeError:
            return _error(400, "invalid_request_error", "The request body is not form-encoded text.")
        key = headers.get("idempotency-key")
        if method == "POST" and key:
            return self._idempotent(key, method, url.path, params)
        return self._route(method, segments, params)

    def _idempotent(self, key: str, method: str, path: str, params: list[tuple[str, str]]) -> Answer:
        with self._lock:
            saved = self.saved.get(key)
            if saved is not None:
                if (saved.method, saved.path, sorted(saved.params)) != (method, path, sorted(params)):
                    return _error(400, "idempotency_error", IDEMPOTENCY_MESSAGE.format(key=key))
                if saved.answer is None:
                    return _error(
                        409,
                        "invalid_request_error",
                        "There is currently another in-progress request using this Idempotency Key "
                        "(that probably means you submitted twice, and the other request is still going "
                        "through). Please try again later.",
                        code="idempotency_key_in_use",
                    )
                replay = saved.answer
                return Answer(replay.status, replay.body, {**replay.headers, "Idempotent-Replayed": "true"})
            self.saved[key] = _Saved(method, path, params, None)
        answer = self._route(method, [s for s in path.split("/") if s], params)
        with self._lock:
            executed = (
                answer.status < 500 and answer.status != 429 and not answer.headers.get("X-Not-Executed")
            )
            if executed:
                self.saved[key].answer = Answer(answer.status, answer.body, dict(answer.headers))
            else:
                del self.saved[key]
        return answer

    def _route(self, method: str, segments: list[str], params: list[tuple[str, str]]) -> Answer:
        match (method, segments):
            case ("POST", ["v1", "accounts"]):
                return self._create_account(params)
            case ("GET", ["v1", "accounts", account_id]):
                return self._account(account_id)
            case ("POST", ["v1", "transfers"]):
                return self._create_transfer(params)
            case ("GET", ["v1", "transfers"]):
                return self._list_transfers(dict(params))
            case ("GET", ["v1", "transfers", transfer_id]):
                found = next((t for t in self.transfers if t["id"] == transfer_id), None)
                if found is None:
                    return _error(404, "invalid_request_error", f"No such transfer: '{transfer_id}'",
                                  "resource_missing", "id")  # fmt: skip
                return Answer(200, found)
            case ("GET", ["v1", "balance"]):
                return Answer(200, self._balance())
        return _error(
            404, "invalid_request_error", f"Unrecognized request URL ({method}: /{'/'.join(segments)})."
        )

    def _create_account(self, params: list[tuple[str, str]]) -> Answer:
        given = dict(params)
        account_type = given.get("type", "express")
        if account_type not in ("custom", "express", "standard"):
            return _error(400, "invalid_request_error", "Invalid type: must be one of custom, express, or "
                          "standard", "parameter_invalid_string", "type")  # fmt: skip
        account_id = "acct_" + secrets.token_hex(8)
        account: dict[str, Any] = {
            "id": account_id, "object": "account", "business_profile": {"name": None, "url": None},
            "business_type": given.get("business_type"),
            "capabilities": {"transfers": "active"}, "charges_enabled": True,
            "controller": {"type": "application"}, "country": given.get("country", "US"),
            "created": int(time.time()), "default_currency": given.get("default_currency", "usd"),
            "details_submitted": True, "email": given.get("email"),
            "external_accounts": {"object": "list", "data": [], "has_more": False,
                                  "url": f"/v1/accounts/{account_id}/external_accounts"},
            "metadata": _nested(params, "metadata"), "payouts_enabled": True, "type": account_type,
            "requirements": {"currently_due": [], "eventually_due": [], "past_due": [],
                             "disabled_reason": None, "errors": [], "pending_verification": []},
        }  # fmt: skip
        with self._lock:
            self.accounts[account_id] = account
        return Answer(200, account)

    def _account(self, account_id: str) -> Answer:
        with self._lock:
            account = self.accounts.get(account_id)
            if account is None:
                return _error(404, "invalid_request_error", f"No such account: '{account_id}'",
                              "resource_missing", "account")  # fmt: skip
            inactive = self.modes[account_id].mode == "inactive"
            return Answer(
                200, {**account, "capabilities": {"transfers": "inactive" if inactive else "active"}}
            )

    def _create_transfer(self, params: list[tuple[str, str]]) -> Answer:
        given = dict(params)
        for name in ("amount", "currency", "destination"):
            if not given.get(name):
                return _error(400, "invalid_request_error", f"Missing required param: {name}.",
                              "parameter_missing", name)  # fmt: skip
        if not given["amount"].isdigit() or int(given["amount"]) <= 0:
            return _error(
                400,
                "invalid_request_error",
                "Invalid positive integer",
                "parameter_invalid_integer",
                "amount",
            )
        amount, currency, destination = int(given["amount"]), given["currency"].lower(), given["destination"]
        with self._lock:
            if destination not in self.accounts:
                return _error(400, "invalid_request_error", f"No such destination: '{destination}'",
                              "resource_missing", "destination")  # fmt: skip
            mode = self.modes[destination].take()
            if mode == "timeout":
                return Answer(504, {}, {"X-Not-Executed": "1"}, hang=True)
            if mode == "server_error":
                return _error(500, "api_error", "An unknown error occurred.")
            if mode == "rate_limited":
                return _error(429, "invalid_request_error", "Too many requests hit the API too quickly.",
                              "rate_limit")  # fmt: skip
            if mode == "inactive":
                return _error(
                    400, "invalid_request_error",
                    "Your destination account needs to have at least one of the following capabilities "
                    "enabled: transfers, crypto_transfers, legacy_payments",
                    "insufficient_capabilities_for_transfer", "destination",
                )  # fmt: skip
            if mode == "insufficient_funds" or self.available[currency] < amount:
                return _error(
                    400, "invalid_request_error",
                    "You have insufficient available funds in your Stripe account. Try adding funds "
                    "directly to your available balance by creating Top-ups.",
                    "balance_insufficient",
                )  # fmt: skip
            transfer_id = _id("tr")
            transfer = {
                "id": transfer_id, "object": "transfer", "amount": amount, "amount_reversed": 0,
                "balance_transaction": _id("txn"), "created": int(time.time()), "currency": currency,
                "description": given.get("description"), "destination": destination,
                "destination_payment": _id("py"), "livemode": False, "metadata": _nested(params, "metadata"),
                "reversals": {"object": "list", "data": [], "has_more": False,
                              "url": f"/v1/transfers/{transfer_id}/reversals"},
                "reversed": False, "source_transaction": None, "source_type": "card",
                "transfer_group": given.get("transfer_group"),
            }  # fmt: skip
            self.available[currency] -= amount
            self.transfers.append(transfer)
        return Answer(200, transfer, hang=mode == "succeed_then_timeout")

    def _list_transfers(self, query: dict[str, str]) -> Answer:
        with self._lock:
            found = [
                t for t in reversed(self.transfers)
                if all(query.get(f) in (None, t[f]) for f in ("transfer_group", "destination"))
            ]  # fmt: skip
        if "starting_after" in query:
            ids = [t["id"] for t in found]
            found = found[ids.index(query["starting_after"]) + 1 :] if query["starting_after"] in ids else []
        limit = int(query["limit"]) if query.get("limit", "").isdigit() else 10
        limit = min(max(limit, 1), 100)
        return Answer(
            200,
            {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": "/v1/transfers"},
        )

    def _balance(self) -> dict[str, Any]:
        with self._lock:
            currencies = sorted({"usd", *self.available})
            available = [
                {"amount": self.available[c], "currency": c, "source_types": {"card": self.available[c]}}
                for c in currencies
            ]
        return {
            "object": "balance", "available": available, "livemode": False,
            "connect_reserved": [{"amount": 0, "currency": c} for c in currencies],
            "pending": [{"amount": 0, "currency": c, "source_types": {"card": 0}} for c in currencies],
        }  # fmt: skip

    # The control route
    def _control(self, method: str, segments: list[str], body: bytes) -> Answer:
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "invalid_request_error", "The control route takes JSON.")
        if not isinstance(doc, dict):
            return _error(400, "invalid_request_error", "The control route takes a JSON object.")
        with self._lock:
            match (method, segments):
                case ("POST", ["accounts", account_id, "mode"]):
                    times = doc.get("times")
                    if doc.get("mode") not in MODES or not (
                        times is None or (isinstance(times, int) and times > 0)
                    ):
                        return _error(400, "invalid_request_error", f"mode is one of {', '.join(MODES)}; "
                                      "times, when given, a positive integer.")  # fmt: skip
                    self.modes[account_id] = _Mode(doc["mode"], times)
                    return Answer(200, {"account": account_id, "mode": doc["mode"], "times": times})
                case ("POST", ["idempotency", "expire"]):
                    forgotten = [k for k, s in self.saved.items() if s.answer is not None]
                    for k in forgotten:
                        del self.saved[k]
                    return Answer(200, {"expired": len(forgotten)})
                case ("POST", ["balance"]):
                    if not isinstance(doc.get("currency"), str) or not isinstance(doc.get("amount"), int):
                        return _error(
                            400, "invalid_request_error", "Give currency (text) and amount (integer)."
                        )
                    self.available[doc["currency"].lower()] = doc["amount"]
                    return Answer(200, self._balance())
                case ("GET", ["summary"]):
                    totals: dict[str, int] = defaultdict(int)
                    for t in self.transfers:
                        totals[t["currency"]] += t["amount"]
                    return Answer(200, {"transfers": len(self.transfers), "transferred": dict(totals)})
        return _error(404, "invalid_request_error", "No such control route.")


class LocalStripe:
    """The server: `start()` on host:port (0: any free port), `url` for STRIPE_API_BASE, `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, hang_seconds: float = 30.0) -> None:
        self.state = StripeState()
        self._host, self._port = host, port
        self.hang_seconds = hang_seconds
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://{self._host}:{self._server.server_address[1]}"

    def start(self) -> LocalStripe:
        stripe = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                answer = stripe.state.handle(self.command, self.path, headers, body)
                if answer.hang:
                    stripe._stopping.wait(stripe.hang_seconds)
                    self.close_connection = True  # no answer at all: the client sees a timeout
                    return
                payload = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
                for name, value in answer.headers.items():
                    if not name.startswith("X-"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((self._host, self._port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
