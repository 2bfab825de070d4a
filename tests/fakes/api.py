"""An in-memory idempotency store; tests/integration/api/test_idempotency_store_contract.py holds it to the
same behaviour as the DynamoDB one."""

from __future__ import annotations

from starling.api.idempotency import IdempotencyRecord, StoredResponse


class InMemoryIdempotencyRepository:
    def __init__(self) -> None:
        self.records: dict[str, IdempotencyRecord] = {}

    def begin(self, record_id: str, request_hash: str) -> IdempotencyRecord | None:
        earlier = self.records.get(record_id)
        if earlier is None:
            self.records[record_id] = IdempotencyRecord(request_hash=request_hash, response=None)
        return earlier

    def finish(self, record_id: str, response: StoredResponse) -> None:
        self.records[record_id] = IdempotencyRecord(self.records[record_id].request_hash, response)

    def forget(self, record_id: str) -> None:
        self.records.pop(record_id, None)
