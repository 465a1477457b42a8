"""QR codes of tracking URLs, as SVG or PNG, cached per URL."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(url: str) -> qrcode.QRCode:  # type: ignore[type-arg]
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=4096)
def svg(url: str) -> bytes:
    image = _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return bytes(image.to_string(encoding="unicode").encode())


@lru_cache(maxsize=4096)
def png(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url).make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def etag(url: str, kind: str) -> str:
    return '"' + hashlib.sha256(f"{kind}:{url}".encode()).hexdigest()[:20] + '"'
