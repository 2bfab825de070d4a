"""QR codes of short URLs: on white so they scan on dark backgrounds, with an optional caption, and as PNG."""

from __future__ import annotations

import cv2
import numpy as np

from starling.links.qr import PNG_SCALE, QUIET_ZONE, SVG_SCALE, caption_text, qr_png, qr_svg

URL = "https://go.acme.com/maya-serum"


def test_the_svg_is_drawn_on_white_with_its_quiet_zone() -> None:
    # When a QR code is drawn for a short URL
    svg = qr_svg(URL)
    # Then a white square covers the code and its quiet zone, under the black modules
    size = int(svg.split('width="', 1)[1].split('"', 1)[0]) // SVG_SCALE  # in modules, quiet zone included
    assert f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>' in svg
    assert 'stroke="#000"' in svg and "<text" not in svg


def test_a_caption_writes_the_short_url_without_its_scheme_under_the_code() -> None:
    svg = qr_svg(URL, caption=True)
    assert caption_text(URL) == "go.acme.com/maya-serum"
    assert svg.endswith(">go.acme.com/maya-serum</text></svg>")
    # And the document grows below the code, on white, so the caption is outside the quiet zone
    width = int(svg.split('width="', 1)[1].split('"', 1)[0])
    height = int(svg.split('height="', 1)[1].split('"', 1)[0])
    assert height > width and f'<rect width="{width}" height="{height}" fill="#fff"/>' in svg


def test_a_long_caption_is_squeezed_to_the_codes_width_and_escaped() -> None:
    long_url = "https://links.a-brand-with-a-very-long-domain-name.example.com/a-long-slug?x=<b>&y=1"
    svg = qr_svg(long_url, caption=True)
    assert 'lengthAdjust="spacingAndGlyphs"' in svg
    assert "&lt;b&gt;&amp;y=1</text>" in svg and "<b>" not in svg


def test_the_png_scans_to_the_url_and_has_a_white_quiet_zone() -> None:
    png = qr_png(URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image.shape[0] == image.shape[1] and image.shape[0] % PNG_SCALE == 0
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert decoded == URL
    border = QUIET_ZONE * PNG_SCALE
    assert (image[:border, :] == 255).all() and (image[:, -border:] == 255).all()
