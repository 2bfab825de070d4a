"""Helpers shared by the integration and e2e suites."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]
    text: str
    content: bytes = b""


class ApiClient:
    """Talks HTTP to a Starling API the way a brand's integration would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        key: str | None = None,
        body: Any = None,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
        data = raw
        if body is not None:
            data = json.dumps(body)
            sent.setdefault("Content-Type", "application/json")
        response = self._session.request(
            method, self.base_url + path, data=data, headers=sent, timeout=60, allow_redirects=False
        )
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        return Answer(response.status_code, parsed, dict(response.headers), response.text, response.content)
