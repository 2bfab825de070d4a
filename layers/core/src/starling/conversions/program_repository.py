"""A brand's program settings in DynamoDB: one item, sk PROGRAM; the defaults until the brand sets them."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from starling.conversions.items import ProgramSettingsItem
from starling.conversions.program import ProgramSettings
from starling.shared.keys import brand_pk


class DynamoProgramSettings:
    def get(self, brand_id: str) -> ProgramSettings:
        try:
            item = ProgramSettingsItem.get(brand_pk(brand_id), "PROGRAM", consistent_read=True)
        except DoesNotExist:
            return ProgramSettings()
        return ProgramSettings(tuple(item.disclosures), tuple(item.banned_words), tuple(item.manager_emails))

    def put(self, brand_id: str, settings: ProgramSettings) -> None:
        ProgramSettingsItem(
            pk=brand_pk(brand_id),
            sk="PROGRAM",
            disclosures=list(settings.disclosures),
            banned_words=list(settings.banned_words),
            manager_emails=list(settings.manager_emails),
        ).save()
