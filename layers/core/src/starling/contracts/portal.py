"""The partner's use cases in the portal: asking for a sign-in link, opening one, and completing onboarding
steps, each of which resumes the onboarding workflow.

Write, then tell: a step's data is stored before the workflow hears of it (`SendTaskSuccess` with the
token taken from the record, one resume per token). A partner who asks for a sign-in link gets the same
answer whether or not the address is known, so the form says nothing about who is a partner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from starling.contracts.access import (
    LinkState,
    MagicLink,
    MagicLinkStore,
    PortalAccount,
    Session,
    hash_email,
    hash_secret,
    magic_link_url,
    new_magic_link,
    new_session,
)
from starling.contracts.onboarding import (
    Onboarding,
    OnboardingStep,
    OnboardingStore,
    parse_payout,
    parse_profile,
)
from starling.contracts.tax import TaxIdCipher, parse_tax_form
from starling.shared import clock
from starling.shared.email import Email, EmailSender
from starling.shared.errors import Conflict


class PortalAccounts(Protocol):
    def add(self, email_hash: str, account: PortalAccount) -> None: ...
    def find(self, email_hash: str) -> list[PortalAccount]: ...


class WorkflowResumer(Protocol):
    """Step Functions' task token API."""

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        """Send the task's success; False when the token is no longer waiting (used, or timed out)."""
        ...


@dataclass(frozen=True)
class OpenedLink:
    state: LinkState
    session: Session | None = None
    next_path: str = "/portal"


def sign_in_email(brand_name: str, url: str, purpose: str = "sign in to") -> Email:
    """The body of every magic-link email: where it leads, and for how long it works."""
    return Email(
        to="",
        subject=f"Your link to {brand_name}'s partner portal",
        text=(
            f"Tap this link to {purpose} your {brand_name} partner portal:\n\n{url}\n\n"
            "It works once, for 15 minutes. If you did not ask for it, ignore this email.\n"
        ),
    )


def send_magic_link(
    links: MagicLinkStore,
    email: EmailSender,
    account: PortalAccount,
    address: str,
    base_url: str,
    next_path: str | None = None,
    message: Callable[[str, str], Email] = sign_in_email,
) -> MagicLink:
    """Store a new magic link for the partnership and email it to `address`; `message(brand_name, url)`
    writes the email."""
    link, secret = new_magic_link(account.brand_id, account.partner_id, next_path, clock.now())
    links.save(link)
    written = message(account.brand_name, magic_link_url(base_url, secret))
    email.send(replace(written, to=address))
    return link


def request_sign_in(
    accounts: PortalAccounts,
    links: MagicLinkStore,
    email: EmailSender,
    address: str,
    base_url: str,
    next_path: str | None = None,
) -> int:
    """Email a sign-in link for each partnership this address has (none when unknown); how many went.
    The caller answers the same either way."""
    sent = 0
    for account in accounts.find(hash_email(address)):
        send_magic_link(links, email, account, address.strip().lower(), base_url, next_path)
        sent += 1
    return sent


def open_magic_link(links: MagicLinkStore, secret: str, at: datetime | None = None) -> OpenedLink:
    """Use the link's secret once: a session when it is valid, else what was wrong with it."""
    when = at or clock.now()
    if not secret or len(secret) > 200:
        return OpenedLink(LinkState.UNKNOWN)
    state, link = links.use(hash_secret(secret), when)
    if state is not LinkState.OPENED or link is None:
        return OpenedLink(state)
    return OpenedLink(state, new_session(link, when), link.next_path)


def _resume(store: OnboardingStore, workflow: WorkflowResumer, onboarding: Onboarding) -> Onboarding:
    """Tell the waiting workflow (if it is waiting) that a step is done; the record as it is now."""
    now = store.get(onboarding.brand_id, onboarding.partner_id)
    token = store.take_token(onboarding.brand_id, onboarding.partner_id)
    if token is not None:
        workflow.succeed(token, {"complete": now.partner_steps_done})
    return now


def _editable(store: OnboardingStore, session: Session) -> Onboarding:
    onboarding = store.get(session.brand_id, session.partner_id)
    if not onboarding.editable:
        raise Conflict(
            "Your onboarding has ended; ask the brand to start it again.", {"status": onboarding.status}
        )
    return onboarding


def complete_profile(
    store: OnboardingStore, workflow: WorkflowResumer, session: Session, form: dict[str, Any]
) -> Onboarding:
    onboarding = replace(_editable(store, session), profile=parse_profile(form))
    store.save_details(onboarding, OnboardingStep.PROFILE, clock.now())
    return _resume(store, workflow, onboarding)


def complete_payout(
    store: OnboardingStore, workflow: WorkflowResumer, session: Session, form: dict[str, Any]
) -> Onboarding:
    onboarding = replace(_editable(store, session), payout=parse_payout(form))
    store.save_details(onboarding, OnboardingStep.PAYOUT, clock.now())
    return _resume(store, workflow, onboarding)


def complete_tax(
    store: OnboardingStore,
    workflow: WorkflowResumer,
    cipher: TaxIdCipher,
    session: Session,
    form: dict[str, Any],
) -> Onboarding:
    onboarding = _editable(store, session)
    tax = parse_tax_form(form, cipher, session.brand_id, session.partner_id, clock.now())
    onboarding = replace(onboarding, tax=tax)
    store.save_details(onboarding, OnboardingStep.TAX, clock.now())
    return _resume(store, workflow, onboarding)
