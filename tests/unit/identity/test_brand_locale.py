"""The brand's locale: how amounts are shown to its people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from starling.identity import service as identity
from starling.identity.model import apply_brand_changes, new_brand
from starling.shared.errors import Invalid
from tests.fakes.identity import InMemoryIdentityRepository

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_new_brand_shows_amounts_in_en_us() -> None:
    assert new_brand("Acme", NOW).locale == "en_US"


def test_the_owner_can_set_a_locale_babel_knows() -> None:
    # Given a brand, When its locale is set to de_DE, Then it is kept
    repo = InMemoryIdentityRepository()
    created = identity.create_brand(repo, "Acme")
    changed = identity.update_brand(repo, created.brand.brand_id, {"locale": "de_DE"})
    assert changed.locale == "de_DE" == repo.get_brand(created.brand.brand_id).locale


@pytest.mark.parametrize("locale", ["xx_YY", "german", "", None, "../en_US"])
def test_a_locale_babel_does_not_know_or_null_is_refused_naming_it(locale: object) -> None:
    with pytest.raises(Invalid) as caught:
        apply_brand_changes(new_brand("Acme", NOW), {"locale": locale})
    assert "locale" in caught.value.details
