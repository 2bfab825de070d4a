"""In-memory fakes of recruiting's ports, checked against the real one by
tests/integration/recruiting/test_partner_repository_contract.py."""

from __future__ import annotations

from dataclasses import replace

from starling.recruiting.model import EmailTemplate, Partner, Stage, TimelineEntry, coupon_key
from starling.shared.errors import Conflict, NotFound


class InMemoryPartnerRepository:
    def __init__(self) -> None:
        self.partners: dict[tuple[str, str], Partner] = {}
        self.entries: list[tuple[str, str, TimelineEntry]] = []
        self.templates: dict[tuple[str, str], EmailTemplate] = {}

    def create(self, partner: Partner, entries: list[TimelineEntry]) -> None:
        if (partner.brand_id, partner.partner_id) in self.partners:
            raise Conflict("This creator is already in the pipeline.")
        self.partners[(partner.brand_id, partner.partner_id)] = partner
        self.add_entries(partner.brand_id, partner.partner_id, entries)

    def get(self, brand_id: str, partner_id: str) -> Partner:
        if (brand_id, partner_id) not in self.partners:
            raise NotFound("No such partner.")
        return self.partners[(brand_id, partner_id)]

    def list_page(
        self, brand_id: str, stage: Stage | None, limit: int, cursor: str | None
    ) -> tuple[list[Partner], str | None]:
        found = [p for (b, _), p in self.partners.items() if b == brand_id and stage in (None, p.stage)]
        return found[:limit], None

    def all(self, brand_id: str) -> list[Partner]:
        return [p for (b, _), p in self.partners.items() if b == brand_id]

    def move(self, before: Partner, after: Partner, entries: list[TimelineEntry]) -> None:
        if self.get(before.brand_id, before.partner_id).stage is not before.stage:
            raise Conflict("The partner's stage changed meanwhile; read it again.")
        self.partners[(after.brand_id, after.partner_id)] = after
        self.add_entries(after.brand_id, after.partner_id, entries)

    def save(self, partner: Partner, before: Partner | None = None) -> None:
        self.get(partner.brand_id, partner.partner_id)
        taken = {
            coupon_key(code)
            for (brand_id, partner_id), other in self.partners.items()
            if brand_id == partner.brand_id and partner_id != partner.partner_id
            for code in other.coupon_codes
        }
        if taken & {coupon_key(code) for code in partner.coupon_codes}:
            raise Conflict("A coupon code is another partner's already.")
        self.partners[(partner.brand_id, partner.partner_id)] = partner

    def partner_for_coupon(self, brand_id: str, code: str) -> Partner | None:
        for (owner_brand, _), partner in self.partners.items():
            if owner_brand == brand_id and coupon_key(code) in {coupon_key(c) for c in partner.coupon_codes}:
                return partner
        return None

    def add_entries(self, brand_id: str, partner_id: str, entries: list[TimelineEntry]) -> None:
        self.entries.extend((brand_id, partner_id, entry) for entry in entries)

    def timeline(self, brand_id: str, partner_id: str | None = None) -> list[tuple[str, TimelineEntry]]:
        found = [(p, e) for b, p, e in self.entries if b == brand_id and partner_id in (None, p)]
        return sorted(found, key=lambda pe: pe[1].at)

    def erase_timeline(self, brand_id: str, partner_id: str) -> None:
        self.entries = [
            (b, p, replace(e, note="", email_to=None) if (b, p) == (brand_id, partner_id) else e)
            for b, p, e in self.entries
        ]

    def email_template(self, brand_id: str, name: str) -> EmailTemplate | None:
        return self.templates.get((brand_id, name))

    def save_email_template(self, brand_id: str, name: str, template: EmailTemplate) -> None:
        self.templates[(brand_id, name)] = template

    def delete_email_template(self, brand_id: str, name: str) -> None:
        self.templates.pop((brand_id, name), None)


class UnlimitedRateLimiter:
    """Every request is the first in its window."""

    def hit(self, key: str, window_seconds: int, now_epoch: int) -> int:
        return 1
