"""What the redirect needs for one slug, in one small item: the read on a cache miss. Standard library only,
because the redirect imports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RedirectEntry:
    """A link's destinations with the effective UTM parameters applied, its brand's fallback, expiry and
    whether it is disabled."""

    slug: str
    brand_id: str
    partner_id: str
    campaign_id: str | None
    url: str
    ios_url: str | None
    android_url: str | None
    fallback_url: str | None
    disabled: bool
    expires_epoch: int | None

    def usable(self, now_epoch: float) -> bool:
        return not self.disabled and (self.expires_epoch is None or now_epoch < self.expires_epoch)

    def destination_for(self, device: str) -> str:
        if device == "ios" and self.ios_url:
            return self.ios_url
        if device == "android" and self.android_url:
            return self.android_url
        return self.url
