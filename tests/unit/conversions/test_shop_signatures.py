"""Starling-Signature and Shopify's HMAC: what passes, and the clear refusal of everything else."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from starling.conversions.signatures import (
    TOLERANCE_SECONDS,
    is_signing_secret,
    new_signing_secret,
    parse_signature_header,
    signature_header,
    verify_shopify_hmac,
    verify_signature,
)
from starling.shared.errors import BadRequest, Unauthorized

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
BODY = b'{"order_id": "1001", "amount": 12000, "currency": "USD"}'
SECRET = "stsig_" + "k" * 43


def test_the_signature_is_hmac_sha256_of_the_time_a_dot_and_the_raw_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature_header(SECRET, T, BODY) == f"t={T},v1={expected}"
    verify_signature(f"t={T},v1={expected}", BODY, [SECRET], NOW)


@pytest.mark.parametrize("skew", [-TOLERANCE_SECONDS, TOLERANCE_SECONDS])
def test_a_time_up_to_five_minutes_off_either_way_passes(skew: int) -> None:
    verify_signature(signature_header(SECRET, T + skew, BODY), BODY, [SECRET], NOW)


@pytest.mark.parametrize("skew", [-TOLERANCE_SECONDS - 1, TOLERANCE_SECONDS + 1])
def test_a_time_more_than_five_minutes_off_is_refused_even_when_well_signed(skew: int) -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_signature(signature_header(SECRET, T + skew, BODY), BODY, [SECRET], NOW)
    assert refused.value.code == "signature_expired"


@pytest.mark.parametrize(
    "header",
    [None, "", "v1=" + "a" * 64, f"t={T}", f"t={T},v1=xyz", f"t=soon,v1={'a' * 64}", f"t={T},v0={'a' * 64}",
     f"t={T}," + ",".join(f"v1={'a' * 64}" for _ in range(5))],
)  # fmt: skip
def test_a_missing_or_malformed_header_is_a_bad_request(header: str | None) -> None:
    with pytest.raises(BadRequest):
        parse_signature_header(header)


def test_a_signature_over_another_body_or_with_another_secret_is_refused() -> None:
    for header in (signature_header(SECRET, T, BODY + b" "), signature_header("stsig_" + "z" * 43, T, BODY)):
        with pytest.raises(Unauthorized) as refused:
            verify_signature(header, BODY, [SECRET], NOW)
        assert refused.value.code == "signature_mismatch"


def test_any_live_secret_and_any_of_several_v1_signatures_pass() -> None:
    old, new = "stsig_" + "o" * 43, "stsig_" + "n" * 43
    verify_signature(signature_header(old, T, BODY), BODY, [new, old], NOW)
    both = f"{signature_header('stsig_' + 'x' * 43, T, BODY)},v1={signature_header(new, T, BODY)[-64:]}"
    verify_signature(both, BODY, [new], NOW)


def test_new_signing_secrets_are_random_and_recognisable() -> None:
    made = {new_signing_secret() for _ in range(50)}
    assert len(made) == 50 and all(is_signing_secret(s) for s in made)


def test_shopifys_hmac_is_the_base64_digest_of_the_raw_body() -> None:
    digest = base64.b64encode(hmac.new(b"shop-secret-123456", BODY, hashlib.sha256).digest()).decode()
    verify_shopify_hmac(digest, BODY, ["other-secret-1234567", "shop-secret-123456"])
    with pytest.raises(Unauthorized):
        verify_shopify_hmac(digest, BODY + b"\n", ["shop-secret-123456"])
    for bad in (None, "", "not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(BadRequest):
            verify_shopify_hmac(bad, BODY, ["shop-secret-123456"])
