"""KMS encryption of small secrets under an encryption context: a ciphertext decrypts only with the same
context, so one moved to another brand's or purpose's item is useless."""

from __future__ import annotations

from typing import Any


def kms_encrypt(client: Any, key_id: str, plaintext: str, context: dict[str, str]) -> bytes:
    answer = client.encrypt(KeyId=key_id, Plaintext=plaintext.encode(), EncryptionContext=context)
    return bytes(answer["CiphertextBlob"])


def kms_decrypt(client: Any, key_id: str, ciphertext: bytes, context: dict[str, str]) -> str:
    answer = client.decrypt(KeyId=key_id, CiphertextBlob=ciphertext, EncryptionContext=context)
    return bytes(answer["Plaintext"]).decode()
