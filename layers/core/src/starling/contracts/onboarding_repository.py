"""Magic links, portal accounts, onboarding records and product pages in DynamoDB."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from starling.contracts.access import LinkState, MagicLink, PortalAccount, link_state
from starling.contracts.onboarding import (
    Onboarding,
    OnboardingStatus,
    OnboardingStep,
    PayoutKind,
    PayoutMethod,
    Profile,
)
from starling.contracts.onboarding_items import (
    MagicLinkItem,
    OnboardingItem,
    PortalAccountItem,
    ProductPageItem,
)
from starling.contracts.tax import TaxForm, TaxFormKind
from starling.shared.errors import NotFound
from starling.shared.keys import brand_pk

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _failed_condition(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == _CONDITION_FAILED


class DynamoMagicLinkStore:
    def save(self, link: MagicLink) -> None:
        MagicLinkItem(
            pk=f"MAGIC#{link.token_hash}",
            sk="link",
            brand_id=link.brand_id,
            partner_id=link.partner_id,
            next_path=link.next_path,
            created_at=link.created_at,
            valid_until=link.valid_until,
            expires_at=int((link.valid_until + timedelta(days=1)).timestamp()),
        ).save(condition=MagicLinkItem.pk.does_not_exist())

    def use(self, token_hash: str, at: datetime) -> tuple[LinkState, MagicLink | None]:
        item = MagicLinkItem(pk=f"MAGIC#{token_hash}", sk="link")
        try:
            item.update(
                actions=[MagicLinkItem.used_at.set(at)],
                condition=MagicLinkItem.pk.exists()
                & MagicLinkItem.used_at.does_not_exist()
                & (MagicLinkItem.valid_until > at),
            )
        except UpdateError as exc:
            if not _failed_condition(exc):
                raise
            try:
                found = _magic_link(MagicLinkItem.get(f"MAGIC#{token_hash}", "link", consistent_read=True))
            except DoesNotExist:
                return LinkState.UNKNOWN, None
            return link_state(found, at), found
        return LinkState.OPENED, _magic_link(item)

    def peek(self, token_hash: str, at: datetime) -> tuple[LinkState, MagicLink | None]:
        """What using the link at `at` would find, without using it."""
        try:
            found = _magic_link(MagicLinkItem.get(f"MAGIC#{token_hash}", "link", consistent_read=True))
        except DoesNotExist:
            return LinkState.UNKNOWN, None
        return link_state(found, at), found


def _magic_link(item: MagicLinkItem) -> MagicLink:
    return MagicLink(
        token_hash=item.pk.removeprefix("MAGIC#"),
        brand_id=item.brand_id,
        partner_id=item.partner_id,
        next_path=item.next_path,
        created_at=item.created_at,
        valid_until=item.valid_until,
        used_at=item.used_at,
    )


class DynamoPortalAccounts:
    def add(self, email_hash: str, account: PortalAccount) -> None:
        PortalAccountItem(
            pk=f"PORTAL#{email_hash}",
            sk=f"ACCOUNT#{account.brand_id}#{account.partner_id}",
            brand_id=account.brand_id,
            partner_id=account.partner_id,
            brand_name=account.brand_name,
        ).save()

    def find(self, email_hash: str) -> list[PortalAccount]:
        return [
            PortalAccount(item.brand_id, item.partner_id, item.brand_name)
            for item in PortalAccountItem.query(f"PORTAL#{email_hash}", limit=20)
        ]


class DynamoProductPages:
    def claim(self, handle: str, brand_id: str, partner_id: str) -> bool:
        """Take /p/<handle> for the partner; False when it is another partner's."""
        try:
            ProductPageItem(pk=f"PAGE#{handle}", sk="page", brand_id=brand_id, partner_id=partner_id).save(
                condition=ProductPageItem.pk.does_not_exist()
                | ((ProductPageItem.brand_id == brand_id) & (ProductPageItem.partner_id == partner_id))
            )
        except PutError as exc:
            if _failed_condition(exc):
                return False
            raise
        return True

    def find(self, handle: str) -> tuple[str, str] | None:
        try:
            item = ProductPageItem.get(f"PAGE#{handle}", "page")
        except DoesNotExist:
            return None
        return item.brand_id, item.partner_id

    def handle_of(self, brand_id: str, partner_id: str) -> str | None:
        """The partner's product page handle, kept on their onboarding record."""
        try:
            item = OnboardingItem.get(brand_pk(brand_id), _sk(partner_id))
        except DoesNotExist:
            return None
        return item.page_handle


def _sk(partner_id: str) -> str:
    return f"ONBOARDING#{partner_id}"


def _step_attribute(step: OnboardingStep) -> Any:
    return getattr(OnboardingItem, f"{step.value}_at")


class DynamoOnboardingStore:
    def create(self, onboarding: Onboarding) -> bool:
        item = OnboardingItem(
            pk=brand_pk(onboarding.brand_id),
            sk=_sk(onboarding.partner_id),
            partner_id=onboarding.partner_id,
            status=onboarding.status.value,
        )
        for step, at in onboarding.steps.items():
            setattr(item, f"{step.value}_at", at)
        try:
            item.save(condition=OnboardingItem.pk.does_not_exist())
        except PutError as exc:
            if _failed_condition(exc):
                return False
            raise
        return True

    def get(self, brand_id: str, partner_id: str) -> Onboarding:
        try:
            item = OnboardingItem.get(brand_pk(brand_id), _sk(partner_id), consistent_read=True)
        except DoesNotExist:
            raise NotFound("This partner has not started onboarding.", {"partner_id": partner_id}) from None
        return _onboarding(brand_id, item)

    def mark(self, brand_id: str, partner_id: str, step: OnboardingStep, at: datetime, **fields: Any) -> None:
        actions = [_step_attribute(step).set(at)]
        for name, value in fields.items():
            attribute = getattr(OnboardingItem, name)
            actions.append(attribute.remove() if value is None else attribute.set(_plain(value)))
        OnboardingItem(pk=brand_pk(brand_id), sk=_sk(partner_id)).update(
            actions=actions, condition=OnboardingItem.pk.exists()
        )

    def save_details(self, onboarding: Onboarding, step: OnboardingStep, at: datetime) -> None:
        details: dict[OnboardingStep, Any] = {
            OnboardingStep.PROFILE: (OnboardingItem.profile, onboarding.profile),
            OnboardingStep.PAYOUT: (OnboardingItem.payout, onboarding.payout),
            OnboardingStep.TAX: (OnboardingItem.tax, onboarding.tax),
        }
        attribute, value = details[step]
        OnboardingItem(pk=brand_pk(onboarding.brand_id), sk=_sk(onboarding.partner_id)).update(
            actions=[attribute.set(json.dumps(asdict(value), default=str)), _step_attribute(step).set(at)],
            condition=OnboardingItem.pk.exists(),
        )

    def set_token(self, brand_id: str, partner_id: str, token: str) -> None:
        OnboardingItem(pk=brand_pk(brand_id), sk=_sk(partner_id)).update(
            actions=[OnboardingItem.task_token.set(token)], condition=OnboardingItem.pk.exists()
        )

    def take_token(self, brand_id: str, partner_id: str) -> str | None:
        item = OnboardingItem(pk=brand_pk(brand_id), sk=_sk(partner_id))
        try:
            current = OnboardingItem.get(brand_pk(brand_id), _sk(partner_id), consistent_read=True).task_token
        except DoesNotExist:
            return None
        if current is None:
            return None
        try:
            item.update(
                actions=[OnboardingItem.task_token.remove()], condition=OnboardingItem.task_token == current
            )
        except UpdateError as exc:
            if _failed_condition(exc):
                return None  # another request took it first: it resumes the workflow
            raise
        return current


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, OnboardingStatus) else value


def _onboarding(brand_id: str, item: OnboardingItem) -> Onboarding:
    steps = {step: at for step in OnboardingStep if (at := getattr(item, f"{step.value}_at")) is not None}
    profile = Profile(**json.loads(item.profile)) if item.profile else None
    payout = None
    if item.payout:
        raw = json.loads(item.payout)
        payout = PayoutMethod(kind=PayoutKind(raw["kind"]), reference=raw["reference"])
    tax = None
    if item.tax:
        raw = json.loads(item.tax)
        tax = TaxForm(
            **{
                **raw,
                "kind": TaxFormKind(raw["kind"]),
                "certified_at": datetime.fromisoformat(raw["certified_at"]),
            }
        )
    return Onboarding(
        brand_id=brand_id,
        partner_id=item.partner_id,
        status=OnboardingStatus(item.status),
        steps=steps,
        task_token=item.task_token,
        contract_id=item.contract_id,
        ended_reason=item.ended_reason,
        profile=profile,
        payout=payout,
        tax=tax,
    )
