"""Rules of an authority's branding (pure): colours that white header text stays readable on, and a
logo whose type is read from its bytes, never from what the uploader claims."""

from __future__ import annotations

from shared.colours import AA_NORMAL_TEXT, WHITE, contrast_ratio, is_hex_colour

MAX_LOGO_BYTES = 100 * 1024
# The logo formats, told from their first bytes (the same magic numbers as shared.attachments.content,
# not imported from there: that package brings boto3 into identity's start-up). Not SVG: it can carry script.
LOGO_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class BrandingRefused(ValueError):
    """A branding value that breaks a rule; `field` names it, the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def header_colour(field: str, colour: str) -> str:
    """`colour` as stored (lower case), if white text on it meets WCAG AA (4.5:1): GOV.UK's header text
    and the portal's buttons are white on the brand colour."""
    if not is_hex_colour(colour):
        raise BrandingRefused(field, "must be a colour written #rrggbb, like #00594f")
    ratio = contrast_ratio(colour, WHITE)
    if ratio < AA_NORMAL_TEXT:
        raise BrandingRefused(
            field,
            f"is too light: white text on {colour.lower()} has a contrast ratio of {ratio:.2f}:1, and"
            f" needs at least {AA_NORMAL_TEXT}:1; choose a darker colour",
        )
    return colour.lower()


def logo_type(content: bytes) -> str:
    """The media type of a logo from its content; refused when empty, too large or not PNG or JPEG."""
    if not content:
        raise BrandingRefused("logo", "is empty: send the image file as the request body")
    if len(content) > MAX_LOGO_BYTES:
        raise BrandingRefused(
            "logo", f"is {len(content)} bytes; a logo may be at most {MAX_LOGO_BYTES} bytes (100 KiB)"
        )
    for magic, media_type in LOGO_SIGNATURES:
        if content.startswith(magic):
            return media_type
    raise BrandingRefused("logo", "must be a PNG or JPEG image (SVG is not accepted)")
