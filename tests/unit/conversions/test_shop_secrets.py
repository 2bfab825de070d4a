"""The brand's shop secrets: made and shown once, stored only sealed, rotated with a grace period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from starling.conversions.shops import GRACE, SecretKind, ShopSecretsService
from starling.conversions.signatures import signature_header
from starling.shared.errors import BadRequest, Invalid, NotFound, Unauthorized
from tests.fakes.shops import ContextBoundCipher, InMemoryShopSecretRepository, SlugDirectory


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def repo() -> InMemoryShopSecretRepository:
    return InMemoryShopSecretRepository()


@pytest.fixture()
def service(repo: InMemoryShopSecretRepository, clock: Clock) -> ShopSecretsService:
    return ShopSecretsService(
        repo, ContextBoundCipher(), SlugDirectory({"cakes": "brd_1", "pies": "brd_2"}), clock
    )


def header_at(secret: str, clock: Clock, body: bytes) -> str:
    return signature_header(secret, int(clock.at.timestamp()), body)


def test_a_new_secret_is_stored_only_sealed_to_its_brand(
    service: ShopSecretsService, repo: InMemoryShopSecretRepository, clock: Clock
) -> None:
    secret, stored = service.rotate_signing("brd_1")
    assert secret.encode() not in stored.current
    moved = replace(stored, brand_id="brd_2")
    repo.items[("brd_2", SecretKind.SIGNING)] = moved  # a ciphertext copied to another brand's item
    with pytest.raises(ValueError, match="context"):
        service.verify_signed("pies", header_at(secret, clock, b"{}"), b"{}")


def test_after_a_rotation_the_old_secret_works_for_the_grace_period_only(
    service: ShopSecretsService, clock: Clock
) -> None:
    old, _ = service.rotate_signing("brd_1")
    new, stored = service.rotate_signing("brd_1")
    assert stored.previous_valid_until(clock.at) == clock.at + GRACE
    body = b'{"order_id": "1"}'
    assert service.verify_signed("cakes", header_at(old, clock, body), body) == "brd_1"
    assert service.verify_signed("cakes", header_at(new, clock, body), body) == "brd_1"
    clock.at += GRACE + timedelta(seconds=1)
    with pytest.raises(Unauthorized):
        service.verify_signed("cakes", header_at(old, clock, body), body)
    assert service.verify_signed("cakes", header_at(new, clock, body), body) == "brd_1"


def test_the_header_is_checked_before_the_brand_and_the_brand_before_the_secret(
    service: ShopSecretsService, clock: Clock
) -> None:
    with pytest.raises(BadRequest):
        service.verify_signed("nobody", None, b"{}")
    with pytest.raises(NotFound):
        service.verify_signed("nobody", header_at("stsig_" + "a" * 43, clock, b"{}"), b"{}")
    with pytest.raises(Unauthorized) as refused:
        service.verify_signed("cakes", header_at("stsig_" + "a" * 43, clock, b"{}"), b"{}")
    assert refused.value.code == "no_secret"


def test_a_shopify_secret_is_set_checked_and_verifies_webhooks(service: ShopSecretsService) -> None:
    from tests.fixtures.shopify import delivery

    with pytest.raises(Invalid):
        service.set_shopify("brd_1", "short")
    with pytest.raises(Invalid):
        service.set_shopify("brd_1", "has a space in it, which no secret has")
    service.set_shopify("brd_1", "9fa0b2d06a1c4e7f8a3b5c6d7e8f9a0b")
    body, headers = delivery("orders/create", {"id": 1}, "9fa0b2d06a1c4e7f8a3b5c6d7e8f9a0b")
    assert service.verify_shopify("cakes", headers["X-Shopify-Hmac-Sha256"], body) == "brd_1"
    assert service.status("brd_1")[SecretKind.SIGNING] is None


def test_two_rotations_that_read_the_same_state_do_not_both_pass(
    service: ShopSecretsService, repo: InMemoryShopSecretRepository
) -> None:
    from starling.shared.errors import Conflict

    _, first = service.rotate_signing("brd_1")
    with pytest.raises(Conflict):
        repo.put(first, None)  # a writer that read "no secret yet" after another wrote one
