"""Colour arithmetic for council branding: contrast ratios (WCAG 2.2) and tints, so that any colour a
council chooses is shown with text that stays readable (success criterion 1.4.3, 4.5:1)."""

from __future__ import annotations

import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
BLACK = "#0b0c0c"  # GOV.UK Frontend's text colour
WHITE = "#ffffff"
AA_NORMAL_TEXT = 4.5


def is_hex_colour(value: str) -> bool:
    return bool(_HEX.match(value))


def _channels(colour: str) -> tuple[int, int, int]:
    if not is_hex_colour(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """https://www.w3.org/TR/WCAG22/#dfn-relative-luminance"""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio"""
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """White or near-black, whichever reads better on `background`."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background) else BLACK


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white; amount 0 is the colour itself, 1 is white."""
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in _channels(colour))


def shade(colour: str, amount: float) -> str:
    """`colour` mixed with black; amount 0 is the colour itself, 1 is black."""
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in _channels(colour))


def readable_on_white(colour: str) -> str:
    """`colour`, darkened just enough to be readable as text on white (links in the brand colour)."""
    amount = 0.0
    candidate = colour
    while contrast_ratio(candidate, WHITE) < AA_NORMAL_TEXT and amount < 1:
        amount = round(amount + 0.05, 2)
        candidate = shade(colour, amount)
    return candidate
