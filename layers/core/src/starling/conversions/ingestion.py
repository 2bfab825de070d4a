"""The guard in front of recording an order: Powertools idempotency on its DynamoDB persistence, keyed by
(brand, order id), so the same order sent twice, even at the same moment to two instances, is recorded by
one of them; the other waits for that record and answers with it. The order item's conditional put
(starling.conversions.repository) stays the last word: an order id sent again after the guard's record
has expired (a day) still finds the first record.

Powertools keeps only `{"commission_id", "recorded"}`; the answer is always read from the stored order, so
a repeat shows the commission's status of today, not of the first call.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from starling.conversions.orders import Conversion, OrderIn
from starling.conversions.service import ConversionsService
from starling.shared.errors import Conflict

RETENTION_SECONDS = 24 * 3600
WAIT_SECONDS = 10.0  # how long a repeat waits for the first request of the same order to finish


class GuardedIngestion:
    """`record` an order at most once per brand and order id."""

    def __init__(self, service: ConversionsService, table_name: str, persistence: Any = None) -> None:
        self.service = service
        self._ran = threading.local()  # whether this thread's call ran the recording (not a replay)
        store = persistence or DynamoDBPersistenceLayer(table_name=table_name, expiry_attr="expires_at")
        config = IdempotencyConfig(
            event_key_jmespath="[brand_id, order_id]",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=RETENTION_SECONDS,
            hash_function="sha256",
        )

        @idempotent_function(data_keyword_argument="key", persistence_store=store, config=config)
        def record_once(key: dict[str, str], order: OrderIn) -> dict[str, Any]:
            conversion, recorded = service.record(key["brand_id"], order)
            self._ran.value = recorded
            return {"commission_id": conversion.commission_id, "recorded": recorded}

        self._record_once = record_once

    def record(self, brand_id: str, order: OrderIn) -> tuple[Conversion, bool]:
        """The order's conversion, and whether this request recorded it."""
        deadline = time.monotonic() + WAIT_SECONDS
        key = {"brand_id": brand_id, "order_id": order.order_id}
        self._ran.value = False
        while True:
            try:
                self._record_once(key=key, order=order)
                break
            except IdempotencyAlreadyInProgressError as exc:
                if time.monotonic() > deadline:
                    raise Conflict(
                        "This order is being recorded by another request; send it again shortly.",
                        {"order_id": order.order_id},
                    ) from exc
                time.sleep(0.05)
        return self.service.get(brand_id, order.order_id), bool(self._ran.value)
