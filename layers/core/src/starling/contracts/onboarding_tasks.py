"""The onboarding workflow's own steps, one use case per Lambda task of its state machine.

Each task is safe to run twice (Step Functions retries): a stage move only happens from the stage it
expects, a record is created once, a step's time is set again to the same meaning. A task that finds the
partner somewhere onboarding cannot go on (the brand moved them by hand) raises `NotOnboarding`, which
the state machine catches to end quietly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any, Protocol

from starling.contracts.access import PortalAccount, hash_email
from starling.contracts.mail import ImageEmail, ImageEmailSender
from starling.contracts.onboarding import Onboarding, OnboardingStatus, OnboardingStep, OnboardingStore
from starling.contracts.portal import PortalAccounts, WorkflowResumer, send_magic_link
from starling.identity.model import Brand
from starling.recruiting.model import Partner
from starling.shared import clock
from starling.shared.email import Email, EmailSender
from starling.shared.errors import StarlingError

ACTOR = "workflow:onboarding"


class NotOnboarding(StarlingError):
    """The partner is no longer where onboarding can continue (moved by hand, or without an address)."""

    code = "NotOnboarding"


class Pipeline(Protocol):
    """The recruiting pipeline, as onboarding moves partners along it."""

    def partner(self, brand_id: str, partner_id: str) -> Partner: ...
    def move(self, brand_id: str, partner_id: str, stage: str, note: str) -> Partner: ...


class Brands(Protocol):
    def get_brand(self, brand_id: str) -> Brand: ...


@dataclass(frozen=True)
class PartnerLink:
    slug: str
    short_url: str
    qr_png: bytes


class Activation(Protocol):
    """What an active partner gets: a default vanity link, and their product page's handle."""

    def default_link(self, brand: Brand, partner: Partner) -> PartnerLink | None: ...
    def product_page(self, partner: Partner) -> str:
        """Claim the partner's product page; its handle (unique across brands)."""
        ...


@dataclass
class OnboardingContext:
    store: OnboardingStore
    pipeline: Pipeline
    brands: Brands
    accounts: PortalAccounts
    links: Any  # MagicLinkStore
    email: EmailSender
    base_url: str
    manager_inbox: str  # where the brand's team is told when no partner owner has an address


def _move_from(ctx: OnboardingContext, partner: Partner, expected: str, to: str, note: str) -> Partner:
    if partner.stage.value == to:
        return partner
    if partner.stage.value != expected:
        raise NotOnboarding(
            f"The partner is {partner.stage.value}, not {expected}.", {"stage": partner.stage.value}
        )
    return ctx.pipeline.move(partner.brand_id, partner.partner_id, to, note)


def begin(ctx: OnboardingContext, brand_id: str, partner_id: str) -> dict[str, str]:
    """Move the approved partner to onboarding, open their record and let their address sign in."""
    partner = ctx.pipeline.partner(brand_id, partner_id)
    if not partner.email:
        raise NotOnboarding("The partner has no email address to invite.", {"email": None})
    partner = _move_from(ctx, partner, "approved", "onboarding", "Onboarding started")
    now = clock.now()
    ctx.store.create(
        Onboarding(
            brand_id, partner_id, OnboardingStatus.WAITING_FOR_PARTNER, steps={OnboardingStep.STARTED: now}
        )
    )
    brand = ctx.brands.get_brand(brand_id)
    ctx.accounts.add(hash_email(partner.email or ""), PortalAccount(brand_id, partner_id, brand.name))
    return {"brand_id": brand_id, "partner_id": partner_id}


def _invite_email(brand_name: str, url: str) -> Email:
    return Email(
        to="",
        subject=f"Welcome to {brand_name}'s partner program: finish joining on your phone",
        text=(
            f"You're approved for {brand_name}'s partner program!\n\n"
            "Three short steps are left (your profile, how you get paid, your tax form), then your"
            " contract.\n"
            f"Start here (the link works once, for 15 minutes; the portal sends a new one any"
            f" time):\n\n{url}\n"
        ),
    )


def _reminder_email(brand_name: str, url: str) -> Email:
    return Email(
        to="",
        subject=f"Reminder: finish joining {brand_name}'s partner program",
        text=(
            f"Your place in {brand_name}'s partner program is waiting: a few steps are left.\n\n"
            f"Pick up where you left off:\n\n{url}\n\nWithout them, the invitation ends 14 days after it"
            f" was sent.\n"
        ),
    )


def _send_portal_link(
    ctx: OnboardingContext, brand_id: str, partner_id: str, message: Callable[[str, str], Email]
) -> None:
    partner = ctx.pipeline.partner(brand_id, partner_id)
    brand = ctx.brands.get_brand(brand_id)
    account = PortalAccount(brand_id, partner_id, brand.name)
    send_magic_link(ctx.links, ctx.email, account, partner.email or "", ctx.base_url, "/portal", message)


def invite(ctx: OnboardingContext, brand_id: str, partner_id: str) -> None:
    _send_portal_link(ctx, brand_id, partner_id, _invite_email)
    ctx.store.mark(brand_id, partner_id, OnboardingStep.INVITED, clock.now())


def remind(ctx: OnboardingContext, brand_id: str, partner_id: str) -> None:
    _send_portal_link(ctx, brand_id, partner_id, _reminder_email)
    ctx.store.mark(brand_id, partner_id, OnboardingStep.REMINDED, clock.now())


def await_steps(
    ctx: OnboardingContext, workflow: WorkflowResumer, brand_id: str, partner_id: str, token: str
) -> None:
    """Keep the workflow's token server-side until the partner completes a step; if every step is already
    done (completed while no token was waiting), resume at once."""
    ctx.store.set_token(brand_id, partner_id, token)
    if ctx.store.get(brand_id, partner_id).partner_steps_done:
        taken = ctx.store.take_token(brand_id, partner_id)
        if taken is not None:
            workflow.succeed(taken, {"complete": True})


def _tell_managers(ctx: OnboardingContext, partner: Partner, brand: Brand, subject: str, text: str) -> None:
    owner = partner.owner or ""
    to = owner if "@" in owner else ctx.manager_inbox
    ctx.email.send(Email(to=to, subject=subject, text=text))


def expire(ctx: OnboardingContext, brand_id: str, partner_id: str) -> None:
    """14 days without the partner's steps: the onboarding expires, the partner is paused, the brand told."""
    now = clock.now()
    ctx.store.mark(
        brand_id, partner_id, OnboardingStep.EXPIRED, now, status=OnboardingStatus.EXPIRED, task_token=None
    )
    partner = ctx.pipeline.partner(brand_id, partner_id)
    if partner.stage.value == "onboarding":
        partner = ctx.pipeline.move(brand_id, partner_id, "paused", "Onboarding expired after 14 days")
    brand = ctx.brands.get_brand(brand_id)
    _tell_managers(
        ctx,
        partner,
        brand,
        f"Onboarding expired: {partner.display_name or partner.handle}",
        f"{partner.display_name or partner.handle} (@{partner.handle}) did not finish onboarding with"
        f" {brand.name} "
        f"within 14 days. They are now paused; move them to approved again to restart it.\n",
    )


def contract_sent(ctx: OnboardingContext, brand_id: str, partner_id: str) -> None:
    ctx.store.mark(
        brand_id, partner_id, OnboardingStep.CONTRACT_SENT, clock.now(), status=OnboardingStatus.CONTRACT
    )


def contract_ended(ctx: OnboardingContext, brand_id: str, partner_id: str, error: str) -> None:
    """The contract was declined or expired: onboarding ends; the partner is paused, for the brand to say."""
    reason = {"ContractDeclined": "contract_declined", "ContractExpired": "contract_expired"}.get(
        error, "contract_timeout"
    )
    ctx.store.mark(
        brand_id,
        partner_id,
        OnboardingStep.ENDED,
        clock.now(),
        status=OnboardingStatus.ENDED,
        ended_reason=reason,
    )
    partner = ctx.pipeline.partner(brand_id, partner_id)
    if partner.stage.value == "onboarding":
        ctx.pipeline.move(brand_id, partner_id, "paused", f"Onboarding ended: {reason.replace('_', ' ')}")


def failed(ctx: OnboardingContext, brand_id: str, partner_id: str, error: str) -> None:
    ctx.store.mark(
        brand_id,
        partner_id,
        OnboardingStep.ENDED,
        clock.now(),
        status=OnboardingStatus.FAILED,
        ended_reason=error[:200],
    )


def _welcome(brand: Brand, partner: Partner, link: PartnerLink | None, page_url: str) -> ImageEmail | None:
    if link is None:
        return None
    name = partner.display_name or partner.handle
    text = (
        f"Hi {name}, you're now an active {brand.name} partner!\n\n"
        f"Your link: {link.short_url}\nYour product page: {page_url}\n\n"
        "Your QR code is attached: print it, or add it to a story.\n"
    )
    html = (
        f"<p>Hi {escape(name)}, you're now an active {escape(brand.name)} partner!</p>"
        f'<p>Your link: <a href="{escape(link.short_url)}">{escape(link.short_url)}</a></p>'
        f'<p>Your product page: <a href="{escape(page_url)}">{escape(page_url)}</a></p>'
        '<p><img src="cid:{cid}" alt="QR code of your link" width="240" height="240"></p>'
    )
    return ImageEmail(
        to=partner.email or "",
        subject=f"You're live: your {brand.name} link and QR code",
        text=text,
        html=html,
        image_png=link.qr_png,
        image_name=f"{link.slug}-qr.png",
    )


def activate(
    ctx: OnboardingContext,
    activation: Activation,
    mailer: ImageEmailSender,
    brand_id: str,
    partner_id: str,
    contract_id: str,
) -> dict[str, Any]:
    """The signed partner becomes active: a default link, the product page, the welcome email. What it
    returns is the `partner.activated` event's detail."""
    now = clock.now()
    ctx.store.mark(brand_id, partner_id, OnboardingStep.CONTRACT_SIGNED, now, contract_id=contract_id)
    partner = _move_from(
        ctx, ctx.pipeline.partner(brand_id, partner_id), "onboarding", "active", "Onboarding complete"
    )
    brand = ctx.brands.get_brand(brand_id)
    link = activation.default_link(brand, partner)
    handle = activation.product_page(partner)
    page_url = f"{ctx.base_url}/p/{handle}"
    ctx.store.mark(
        brand_id,
        partner_id,
        OnboardingStep.ACTIVATED,
        clock.now(),
        status=OnboardingStatus.ACTIVE,
        page_handle=handle,
    )
    welcome = _welcome(brand, partner, link, page_url)
    if welcome is not None:
        mailer.send_with_image(welcome)
    else:
        ctx.email.send(
            Email(
                to=partner.email or "",
                subject=f"You're live: welcome to {brand.name}'s partner program",
                text=f"Your product page: {page_url}\nYour links: {ctx.base_url}/portal/links\n",
            )
        )
    return {
        "brand_id": brand_id,
        "partner_id": partner_id,
        "contract_id": contract_id,
        "slug": link.slug if link else None,
        "short_url": link.short_url if link else None,
        "product_page_url": page_url,
        "activated_at": now.isoformat(),
    }
