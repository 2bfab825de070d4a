"""Which clicks are people, which are link-preview bots and crawlers, and which are a burst from one source.

Bots come from the maintained `crawler-user-agents` list (Facebook's and X's preview fetchers, Slack,
WhatsApp, Telegram, Discord, LinkedIn, iMessage's previews, Google and the rest). The in-app browsers of
social apps are people even where their user agent names the app: they are checked first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import crawleruseragents

# In-app browsers: the user agent of a person tapping a link inside the app.
_IN_APP_BROWSER = re.compile(
    r"Instagram \d|FBAN/|FBAV/|FB_IAB|musical_ly|BytedanceWebview|TikTok|Snapchat/|"
    r"Pinterest for (Android|iOS)|\[Pinterest/|LinkedInApp|Twitter for (iPhone|Android)|"
    r"MicroMessenger/|Line/\d|GSA/\d",
)
# A preview fetcher sometimes borrows a browser's user agent but always says who it is.
_PREVIEW_FETCHER = re.compile(r"facebookexternalhit|Facebot|Twitterbot|WhatsApp/|TelegramBot|Slackbot")
BURST_CLICKS_PER_MINUTE = 20


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """True for crawlers and link-preview bots; an empty user agent is not a person's browser."""
    if not user_agent.strip():
        return True
    if _PREVIEW_FETCHER.search(user_agent):
        return True
    if _IN_APP_BROWSER.search(user_agent):
        return False
    return bool(crawleruseragents.is_crawler(user_agent))


def is_in_app(user_agent: str) -> bool:
    """True for the in-app browser of a social app (Instagram, TikTok, Facebook, Snapchat and others)."""
    return bool(_IN_APP_BROWSER.search(user_agent))


def burst_flags(
    clicks: Iterable[tuple[str, str, int]], per_minute: int = BURST_CLICKS_PER_MINUTE
) -> list[bool]:
    """For (link, source, at_ms) in arrival order: whether each click is past `per_minute` clicks from the
    same source on the same link in the same minute. The first `per_minute` still count; the rest are
    flagged, recorded, and not billable."""
    seen: Counter[tuple[str, str, int]] = Counter()
    flags = []
    for slug, source, at_ms in clicks:
        key = (slug, source, at_ms // 60_000)
        seen[key] += 1
        flags.append(bool(source) and seen[key] > per_minute)
    return flags
