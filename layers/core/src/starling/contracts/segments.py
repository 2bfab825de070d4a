"""Who is in a segment: each partner's stage, tier (the creator's followers on the brand's thresholds) and
the campaigns of their links, read from recruiting, discovery and links in one query each."""

from __future__ import annotations

from starling.contracts.model import SegmentMember
from starling.discovery.model import brand_owner, tier_for
from starling.discovery.service import creator_store
from starling.identity.service import identity_store
from starling.links.service import link_store
from starling.recruiting.service import partner_store


class DynamoSegmentDirectory:
    def members(self, brand_id: str) -> list[SegmentMember]:
        partners = partner_store().all(brand_id)
        brand = identity_store().get_brand(brand_id)
        creators = creator_store().get_many(brand_owner(brand_id), [p.creator_id for p in partners])
        campaigns: dict[str, set[str]] = {}
        for link in link_store().all(brand_id):
            if link.campaign_id:
                campaigns.setdefault(link.partner_id, set()).add(link.campaign_id)
        members = []
        for partner in partners:
            creator = creators.get(partner.creator_id)
            tier = (
                tier_for(creator.followers, brand.tier_thresholds) if creator and creator.followers else None
            )
            members.append(
                SegmentMember(
                    partner_id=partner.partner_id,
                    stage=partner.stage.value,
                    tier=tier,
                    campaign_ids=frozenset(campaigns.get(partner.partner_id, ())),
                )
            )
        return members
