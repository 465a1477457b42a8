"""``Idempotency-Key`` for POST requests: a repeat with the same key and body gets the first
response back and changes nothing; the same key with another body is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracking.errors import Conflict, InvalidInput
from tracking.models import IdempotencyRecord, utcnow

MAX_KEY = 200


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: Any


def fingerprint(operation: str, body: Any) -> str:
    canonical = json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(f"{operation}\n{canonical}".encode()).hexdigest()


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key ต้องเป็นข้อความ 1–{MAX_KEY} ตัวอักษร",
            f"Idempotency-Key must be 1 to {MAX_KEY} printable characters",
            field="Idempotency-Key",
        )


def recall(session: Session, actor: str, key: str, print_: str) -> Stored | None:
    """The stored response for this key, or None the first time. Raises ``InvalidInput``
    when the key was used with a different request."""
    _check_key(key)
    record = session.exec(
        select(IdempotencyRecord).where(
            col(IdempotencyRecord.actor) == actor, col(IdempotencyRecord.key) == key
        )
    ).first()
    if record is None:
        return None
    if record.fingerprint != print_:
        raise InvalidInput(
            "Idempotency-Key นี้ใช้กับคำขออื่นไปแล้ว",
            "This Idempotency-Key was already used for a different request",
            field="Idempotency-Key",
        )
    return Stored(record.status_code, json.loads(record.response))


def remember(
    session: Session, actor: str, key: str, print_: str, status_code: int, body: Any
) -> None:
    """Store the response in the same transaction as the work it describes."""
    try:
        with session.begin_nested():
            session.add(
                IdempotencyRecord(
                    actor=actor,
                    key=key,
                    fingerprint=print_,
                    status_code=status_code,
                    response=json.dumps(body, ensure_ascii=False, default=str),
                    created_at=utcnow(),
                )
            )
    except IntegrityError:
        raise Conflict(
            "คำขอที่ใช้ Idempotency-Key เดียวกันกำลังดำเนินการอยู่",
            "A request with the same Idempotency-Key is being processed; retry shortly",
        ) from None
