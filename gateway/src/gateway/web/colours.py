"""Colours derived from a council's brand colour, so that text stays readable whatever it chose
(success criterion 1.4.3, 4.5:1). The WCAG arithmetic itself is shared with identity (shared.colours)."""

from __future__ import annotations

from shared.colours import AA_NORMAL_TEXT, WHITE, channels, contrast_ratio, is_hex_colour

__all__ = [
    "BLACK",
    "WHITE",
    "contrast_ratio",
    "is_hex_colour",
    "readable_on_white",
    "shade",
    "text_colour_on",
    "tint",
]
BLACK = "#0b0c0c"  # GOV.UK Frontend's text colour


def text_colour_on(background: str) -> str:
    """White or near-black, whichever reads better on `background`."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background) else BLACK


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white; amount 0 is the colour itself, 1 is white."""
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in channels(colour))


def shade(colour: str, amount: float) -> str:
    """`colour` mixed with black; amount 0 is the colour itself, 1 is black."""
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in channels(colour))


def readable_on_white(colour: str) -> str:
    """`colour`, darkened just enough to be readable as text on white (links in the brand colour)."""
    amount = 0.0
    candidate = colour
    while contrast_ratio(candidate, WHITE) < AA_NORMAL_TEXT and amount < 1:
        amount = round(amount + 0.05, 2)
        candidate = shade(colour, amount)
    return candidate
