"""HMAC-SHA-256 under the audit key, for ``audit verify``'s millions of digests.

OpenSSL's one-shot HMAC sets up the key on every call, half its time on an event's few hundred
bytes. Here the padded key is hashed once (RFC 2104: H(K ^ opad, H(K ^ ipad, message))) and
each digest copies the two states; the tests hold it to ``hmac.digest``.
"""

from __future__ import annotations

import hashlib
import hmac

_BLOCK = hashlib.sha256().block_size


class Keyed:
    """The keyed hash of one key: ``hex(content)`` is ``hmac.digest(key, content,
    "sha256").hex()``."""

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: bytes) -> None:
        self.key = key
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(hmac.trans_36))
        self._outer = hashlib.sha256(key.translate(hmac.trans_5C))

    def hex(self, content: bytes) -> str:
        inner = self._inner.copy()
        inner.update(content)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
