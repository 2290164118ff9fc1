"""The PDF's fonts: DejaVu Sans (Debian's fonts-dejavu-core) when the machine has it, embedded (subset) so
every name prints, Welsh and Polish ones included (ŵ, Ł); the PDF's built-in Helvetica otherwise, which
has Western European letters only (others print as a box)."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def register(folders: tuple[Path, ...] = FONT_DIRS) -> tuple[str, str]:
    """The regular and bold fonts' names: DejaVu Sans registered from the first folder that has it."""
    for folder in folders:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


FONT, BOLD = register()
