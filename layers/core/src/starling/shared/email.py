"""Email through Amazon SES (on moto locally, where `starling outbox` shows what was sent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import boto3

from starling.shared.settings import get_settings


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None


class EmailSender(Protocol):
    def send(self, email: Email) -> str:
        """Send it; the provider's message id."""
        ...


class SesEmailSender:
    def __init__(self, sender: str | None = None, client: Any = None) -> None:
        settings = get_settings()
        self._sender = sender or settings.sender_email
        self._client = client or boto3.client("ses", region_name=settings.region)

    def send(self, email: Email) -> str:
        body: dict[str, Any] = {"Text": {"Data": email.text, "Charset": "UTF-8"}}
        if email.html:
            body["Html"] = {"Data": email.html, "Charset": "UTF-8"}
        extra = {"ReplyToAddresses": [email.reply_to]} if email.reply_to else {}
        answer = self._client.send_email(
            Source=self._sender,
            Destination={"ToAddresses": [email.to]},
            Message={"Subject": {"Data": email.subject, "Charset": "UTF-8"}, "Body": body},
            **extra,
        )
        return str(answer["MessageId"])
