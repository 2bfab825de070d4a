"""Roles and what each may do. Reads are open to every role except where noted; writes are listed."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    FINANCE = "finance"
    VIEWER = "viewer"


class Area(StrEnum):
    BRAND = "brand"
    API_KEYS = "api_keys"
    CREATORS = "creators"
    PARTNERS = "partners"
    CAMPAIGNS = "campaigns"
    PRODUCTS = "products"
    LINKS = "links"
    CONTRACTS = "contracts"
    CONVERSIONS = "conversions"
    DELIVERABLES = "deliverables"
    REPORTS = "reports"
    PAYOUTS = "payouts"
    WEBHOOKS = "webhooks"
    AUDIT = "audit"


# Areas only the owner may even read: they hold credentials or the brand's whole trail.
_OWNER_ONLY_READS = frozenset({Area.API_KEYS, Area.AUDIT, Area.WEBHOOKS})

_WRITES: dict[Role, frozenset[Area]] = {
    Role.OWNER: frozenset(Area),
    Role.MANAGER: frozenset(
        {
            Area.CREATORS,
            Area.PARTNERS,
            Area.CAMPAIGNS,
            Area.PRODUCTS,
            Area.LINKS,
            Area.CONTRACTS,
            Area.CONVERSIONS,
            Area.DELIVERABLES,
        }
    ),
    Role.FINANCE: frozenset({Area.PAYOUTS}),
    Role.VIEWER: frozenset(),
}


def can_read(role: Role, area: Area) -> bool:
    return role is Role.OWNER or area not in _OWNER_ONLY_READS


def can_write(role: Role, area: Area) -> bool:
    return area in _WRITES[role]
