"""In-memory fakes of the kernel's ports."""

from __future__ import annotations

from starling.shared.email import Email


class RecordingEmailSender:
    """Keeps every email it is asked to send; message ids are msg-1, msg-2, ..."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str:
        self.sent.append(email)
        return f"msg-{len(self.sent)}"
