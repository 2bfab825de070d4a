"""How the partner-facing functions (the portal, the onboarding workflow's tasks) reach the other
capabilities: the Dynamo repositories and AWS clients behind the contracts capability's ports.

Imported only by those functions; the redirect and the others never load it.
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from starling.catalog.repository import DynamoProductRepository
from starling.contracts.onboarding_repository import (
    DynamoMagicLinkStore,
    DynamoOnboardingStore,
    DynamoPortalAccounts,
    DynamoProductPages,
)
from starling.contracts.onboarding_tasks import OnboardingContext, PartnerLink
from starling.discovery.repository import DynamoCreatorRepository
from starling.identity.model import Brand
from starling.identity.repository import DynamoIdentityRepository
from starling.links import service as links
from starling.links.repository import DynamoLinkRepository
from starling.recruiting import service as recruiting
from starling.recruiting.model import Partner
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.email import SesEmailSender
from starling.shared.errors import StarlingError
from starling.shared.observability import logger
from starling.shared.settings import get_settings

_GONE = ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist")
# How many of the brand's products (newest first) get a link of a new partner, for their product page.
PAGE_PRODUCTS = 12


class RecruitingPipeline:
    """Onboarding's moves, through recruiting's own use case (history, rules), as the workflow."""

    def __init__(self, email: Any) -> None:
        self._partners = DynamoPartnerRepository()
        self._email = email

    def partner(self, brand_id: str, partner_id: str) -> Partner:
        return self._partners.get(brand_id, partner_id)

    def move(self, brand_id: str, partner_id: str, stage: str, note: str) -> Partner:
        recruiting.move_stage(
            self._partners, DynamoCreatorRepository(), DynamoIdentityRepository(), self._email,
            brand_id, partner_id, stage, "workflow:onboarding", note,
        )  # fmt: skip
        return self._partners.get(brand_id, partner_id)


class StepFunctionsResumer:
    def __init__(self, client: Any) -> None:
        self._client = client

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        try:
            self._client.send_task_success(taskToken=token, output=json.dumps(output))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _GONE:
                return False
            raise
        return True


class PartnerActivation:
    """A default vanity link (to the brand's newest product, else its fallback page) and a product page."""

    def __init__(self, base_url: str) -> None:
        self._links = DynamoLinkRepository()
        self._products = DynamoProductRepository()
        self._pages = DynamoProductPages()
        self._base_url = base_url

    def default_link(self, brand: Brand, partner: Partner) -> PartnerLink | None:
        """A link per product of the brand (the newest PAGE_PRODUCTS, for the product page), the newest
        being the default; without products, one to the brand's fallback page. Links the partner has
        already are kept (a retried task makes none twice)."""
        existing, _ = self._links.list_page(brand.brand_id, partner.partner_id, 100, None)
        linked = {link.product_id for link, _ in existing}
        products, _ = self._products.list_page(brand.brand_id, PAGE_PRODUCTS, None)
        wanted: list[dict[str, Any]] = [
            {"partner_id": partner.partner_id, "product_id": p.product_id}
            for p in products
            if p.product_id not in linked
        ]
        if not products and not existing and brand.fallback_url:
            wanted.append({"partner_id": partner.partner_id, "destination_url": brand.fallback_url})
        made = []
        for fields in wanted:
            try:
                made.append(
                    links.new_partner_link(
                        self._links, DynamoPartnerRepository(), self._products, brand, fields
                    )
                )
            except StarlingError as exc:  # e.g. a URL outside the brand's allowed domains: the brand adds it
                logger.warning("No default link made", extra={"reason": exc.message, "fields": fields})
        chosen = [link for link in made if link.product_id == products[0].product_id] if products else made
        slug = chosen[0].slug if chosen else (existing[0][0].slug if existing else None)
        if slug is None:
            return None
        return PartnerLink(
            slug=slug,
            short_url=links.short_url(self._base_url, slug),
            qr_png=links.link_qr_png(self._links, brand.brand_id, slug, self._base_url),
        )

    def product_page(self, partner: Partner) -> str:
        base = "".join(ch for ch in partner.handle.lower() if ch.isalnum() or ch in "._-")[:40] or "partner"
        for candidate in [base, *(f"{base}-{n}" for n in range(2, 10)), f"{base}-{partner.partner_id[-6:]}"]:
            if self._pages.claim(candidate, partner.brand_id, partner.partner_id):
                return candidate
        raise StarlingError("No product page address is free for this partner.")


@lru_cache(maxsize=1)
def email_sender() -> SesEmailSender:
    return SesEmailSender()


@cache
def aws(service: str) -> Any:
    return boto3.client(service, region_name=get_settings().region)  # type: ignore[call-overload]


def onboarding_context(base_url: str) -> OnboardingContext:
    settings = get_settings()
    return OnboardingContext(
        store=DynamoOnboardingStore(),
        pipeline=RecruitingPipeline(email_sender()),
        brands=DynamoIdentityRepository(),
        accounts=DynamoPortalAccounts(),
        links=DynamoMagicLinkStore(),
        email=email_sender(),
        base_url=base_url,
        manager_inbox=os.environ.get("MANAGER_INBOX") or settings.sender_email,
    )
