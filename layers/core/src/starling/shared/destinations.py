"""Where Starling may send a shopper: only http(s) URLs on one of the brand's allowed domains, so a short
link is never an open redirect. Products and links both check their URLs here."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starling.shared.errors import Invalid

MAX_URL_LENGTH = 2048


def host_is_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    """A host is allowed when it is an allowed domain or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in allowed_domains)


def validate_destination(url: str, allowed_domains: Iterable[str], field: str = "destination_url") -> str:
    """The URL, if a shopper may be sent there; otherwise Invalid naming the field and the allowed domains."""
    allowed = sorted({d.lower() for d in allowed_domains})
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise Invalid(f"{field} must be a URL of at most {MAX_URL_LENGTH} characters.", {field: "length"})
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise Invalid(f"{field} must not contain spaces or control characters.", {field: "characters"})
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError as exc:
        raise Invalid(f"{field} is not a valid URL.", {field: str(exc)}) from exc
    if parts.scheme.lower() not in ("https", "http"):
        raise Invalid(
            f"{field} must be an http(s) URL; '{parts.scheme or 'no'}' scheme is refused.",
            {field: "scheme", "allowed_schemes": ["https", "http"]},
        )
    if not host or parts.username or parts.password:
        raise Invalid(f"{field} must name a host and carry no credentials.", {field: "host"})
    if not allowed:
        raise Invalid(
            "The brand has no allowed domains yet: set them with PATCH /v1/brand {allowed_domains}.",
            {field: host, "allowed_domains": []},
        )
    if not host_is_allowed(host, allowed):
        raise Invalid(
            f"{host} is not one of the brand's allowed domains: {', '.join(allowed)}.",
            {field: host, "allowed_domains": allowed},
        )
    return url
