"""What every PynamoDB item of the core table shares: its table, and the one secondary index (gsi1) that
lists a brand's partners, products or links in order."""

from __future__ import annotations

from typing import TypeVar

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from starling.shared.settings import get_settings

_settings = get_settings()
_M = TypeVar("_M", bound=Model)


class CoreMeta:
    table_name = _settings.table_name
    region = _settings.region


class CoreItem(Model):
    """An item of the core table: partition key pk, sort key sk (see shared/keys.py)."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ListedItem(CoreItem):
    """A core item that gsi1 also lists: its list partition (gsi1pk) and position in it (gsi1sk)."""

    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()


class Gsi1(GlobalSecondaryIndex[_M]):
    """The core table's gsi1: a list partition (gsi1pk) sorted by gsi1sk."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)
