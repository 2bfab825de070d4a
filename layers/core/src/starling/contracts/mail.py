"""Email with an inline image (the welcome email's QR code), sent through SES as a raw MIME message."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol


@dataclass(frozen=True)
class ImageEmail:
    to: str
    subject: str
    text: str
    html: str  # refers to the image as src="cid:{cid}"
    image_png: bytes
    image_name: str


class ImageEmailSender(Protocol):
    def send_with_image(self, email: ImageEmail) -> str: ...


def mime_message(sender: str, email: ImageEmail) -> tuple[EmailMessage, str]:
    """The message, with the image both inline in the HTML and attached (for mail apps that hide inline
    images); the Content-ID the HTML must use is returned, without angle brackets."""
    cid = make_msgid(domain="starling.local")[1:-1]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message.set_content(email.text)
    message.add_alternative(email.html.replace("{cid}", cid), subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(email.image_png, maintype="image", subtype="png", cid=f"<{cid}>")
    message.add_attachment(email.image_png, maintype="image", subtype="png", filename=email.image_name)
    return message, cid


class SesImageEmailSender:
    def __init__(self, sender: str, client: Any) -> None:
        self._sender = sender
        self._client = client

    def send_with_image(self, email: ImageEmail) -> str:
        message, _ = mime_message(self._sender, email)
        answer = self._client.send_raw_email(
            Source=self._sender, Destinations=[email.to], RawMessage={"Data": message.as_bytes()}
        )
        return str(answer["MessageId"])
