"""QR codes of short URLs: SVG for print and the web, PNG for Instagram stories.

A code is black on white with a white quiet zone of four modules all round, drawn on its own white
background, so it scans on a dark page or a dark story as well as on paper. The SVG can carry the short
URL as a caption under the quiet zone, for people who cannot scan. segno writes both formats without any
image library; the PNG has no caption, since text in a PNG would need one (Pillow and a font).
"""

from __future__ import annotations

import io
from html import escape

import segno

SVG_SCALE = 8  # pixels per module in the SVG's own units
PNG_SCALE = 16  # a 25-module code is 528 px square: sharp as a story sticker
QUIET_ZONE = 4  # modules of white all round, what ISO/IEC 18004 asks
_MAX_CAPTION_PX = 20
_MIN_CAPTION_PX = 10
_CHAR_WIDTH_EM = 0.6  # a generous average glyph width for system sans-serif fonts


def caption_text(url: str) -> str:
    """The short URL as people type it: without its scheme."""
    return url.removeprefix("https://").removeprefix("http://")


def qr_svg(url: str, caption: bool = False) -> str:
    """The URL's QR code as SVG on white, with error correction that survives a print (level M); with
    `caption`, the URL is written under the code."""
    code = segno.make_qr(url, error="m")
    buffer = io.BytesIO()
    code.save(
        buffer, kind="svg", scale=SVG_SCALE, border=QUIET_ZONE, dark="#000", light="#fff",
        xmldecl=False, svgns=True,
    )  # fmt: skip
    svg = buffer.getvalue().decode()
    if not caption:
        return svg
    width = code.symbol_size(scale=SVG_SCALE, border=QUIET_ZONE)[0]
    text = caption_text(url)
    fitting = int(width * 0.92 / (_CHAR_WIDTH_EM * max(len(text), 1)))
    font = max(_MIN_CAPTION_PX, min(_MAX_CAPTION_PX, fitting))
    height = width + round(font * 1.8)
    fit = f' textLength="{int(width * 0.92)}" lengthAdjust="spacingAndGlyphs"' if fitting < font else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>{svg}'
        f'<text x="{width // 2}" y="{width + round(font * 0.9)}" text-anchor="middle" fill="#000" '
        f'font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif" font-size="{font}"'
        f"{fit}>{escape(text)}</text></svg>"
    )


def qr_png(url: str) -> bytes:
    """The URL's QR code as a PNG, black on white with its quiet zone."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(
        buffer, kind="png", scale=PNG_SCALE, border=QUIET_ZONE, dark="#000", light="#fff"
    )
    return buffer.getvalue()
