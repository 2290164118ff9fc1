"""What an upload is, told from its bytes: the kinds accepted, and the name it is stored and sent under.

Accepted: PDF, PNG, JPEG, HEIC (a phone's photo), Excel (.xlsx) and Word (.docx) documents, CSV and plain
text; a use may accept fewer (`allowed`: claims take PDF, JPEG, PNG and HEIC only). The kind is read
from the content (magic bytes; for HEIC the ISO-BMFF `ftyp` box; for .xlsx/.docx the parts inside the
ZIP), never taken from the name or the declared type: those must agree with the content, or the upload
is refused. Refused outright:
executables and scripts, HTML and XML (what a browser would render: the WHATWG sniffing patterns),
macro-enabled Office documents, old binary Office files, anything else not in the list.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from shared.errors import Invalid


class AttachmentRefused(Invalid, ValueError):
    """An upload refused; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Kind:
    label: str  # for messages: "a PDF"
    content_type: str  # what is stored and sent back, whatever the upload declared
    extensions: frozenset[str]
    declared: frozenset[str]  # the types a browser or client may declare for it


def _kind(label: str, content_type: str, extensions: str, *declared: str) -> Kind:
    return Kind(label, content_type, frozenset(extensions.split()), frozenset({content_type, *declared}))


PDF = _kind("a PDF", "application/pdf", ".pdf", "application/x-pdf")
PNG = _kind("a PNG image", "image/png", ".png")
JPEG = _kind("a JPEG image", "image/jpeg", ".jpg .jpeg", "image/pjpeg", "image/jpg")
XLSX = _kind(
    "an Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
DOCX = _kind(
    "a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
# Browsers on Windows declare a .csv as Excel's old type when Excel is installed.
CSV = _kind(
    "a CSV file",
    "text/csv",
    ".csv",
    "text/plain",
    "application/csv",
    "text/x-csv",
    "application/vnd.ms-excel",
)
TEXT = _kind("a text file", "text/plain", ".txt")
# HEIF images with HEVC coding, what iPhones take photos in (ISO/IEC 23008-12); .heif too, as some
# phones name them. Stored as image/heic whichever of the names or types it came with.
HEIC = _kind(
    "a HEIC image", "image/heic", ".heic .heif", "image/heif", "image/heic-sequence", "image/heif-sequence"
)
KINDS = (PDF, PNG, JPEG, HEIC, XLSX, DOCX, CSV, TEXT)
# Declaring these claims nothing (a client that does not know the type).
UNCLAIMED = frozenset({"", "application/octet-stream", "binary/octet-stream"})

MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP = b"PK\x03\x04"
# The brands of an ISO-BMFF `ftyp` box that make a file a HEIC/HEIF image (ISO/IEC 23008-12 annex B):
# an iPhone writes major brand "heic" with "mif1" among the compatible ones. A file whose major brand
# is the generic mif1/msf1 is an image in another coding when it also names AVIF: that is not HEIC.
HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
# Known content that is refused whatever its name, with the reason given.
REFUSED_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xfe\xed\xfa", "a program"),
    (b"\xce\xfa\xed\xfe", "a program"),
    (b"\xcf\xfa\xed\xfe", "a program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (save it as .xlsx or .docx)"),
)
# Bytes that plain text never holds (tab, line feed, form feed and carriage return aside).
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What a browser sniffs as HTML or XML (WHATWG MIME Sniffing, "rules for identifying an unknown type"),
# SVG too; leading white space and a byte order mark are skipped as a browser skips them.
MARKUP = re.compile(
    rb"(<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|svg)"
    rb"[ \t\n\x0c\r/>])|<\?xml",
    re.IGNORECASE,
)
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Checked:
    """An upload accepted: the name and type it is stored under, its size and SHA-256 (hex)."""

    filename: str
    content_type: str
    size: int
    sha256: str


def check_upload(
    data: bytes,
    *,
    filename: str,
    declared_type: str | None,
    max_bytes: int,
    allowed: Sequence[Kind] | None = None,
) -> Checked:
    """Accept `data` as an attachment or raise AttachmentRefused saying why. `allowed`: the kinds this
    use accepts (every kind when None); a refusal of a kind then names the ones accepted."""
    kinds = tuple(allowed) if allowed is not None else KINDS
    if not kinds or any(k not in KINDS for k in kinds):
        raise ValueError("allowed names kinds of shared.attachments.content (PDF, PNG, ...)")
    if not data:
        raise AttachmentRefused("the file is empty")
    if len(data) > max_bytes:
        raise AttachmentRefused(f"the file is {len(data):,} bytes; the most accepted is {max_bytes:,}")
    # Where fewer kinds are accepted, every refusal of a kind says which are, so the person knows
    # what to send instead ("... (accepted here: a PDF, a JPEG image, a PNG image or a HEIC image)").
    accepted_here = "" if allowed is None else f" (accepted here: {accepted_kinds(kinds)})"
    stored_name = safe_filename(filename)
    extension = "." + stored_name.rpartition(".")[2].lower() if "." in stored_name else ""
    named = next((k for k in kinds if extension in k.extensions), None)
    if named is None:
        # One list: the extensions alone for every kind; where fewer are accepted, each kind with its own
        # ("(accepted here: a PDF (.pdf), a JPEG image (.jpeg, .jpg) ...)"), not the extensions and then
        # the kinds again.
        if allowed is None:
            accepted = " (" + ", ".join(sorted(e for k in kinds for e in k.extensions)) + ")"
        else:
            accepted = f" (accepted here: {accepted_kinds(kinds, extensions=True)})"
        raise AttachmentRefused(
            f"files named {extension or 'without an extension'} are not accepted{accepted}"
        )
    try:
        content, charset = _content_kind(data, named)
    except AttachmentRefused as refused:
        raise AttachmentRefused(f"{refused}{accepted_here}") from refused
    if content is not named:
        raise AttachmentRefused(
            f"the file is named {extension} but its content is {content.label}{accepted_here}"
        )
    claimed = (declared_type or "").split(";")[0].strip().lower()
    if claimed not in UNCLAIMED and claimed not in named.declared:
        raise AttachmentRefused(f"the file was sent as {claimed[:80]} but its content is {named.label}")
    content_type = f"{named.content_type}; charset={charset}" if charset else named.content_type
    return Checked(stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())


def accepted_kinds(kinds: Sequence[Kind], *, extensions: bool = False) -> str:
    """ "a PDF, a JPEG image or a PNG image": the kinds for a message; with `extensions`, "a PDF (.pdf),
    a JPEG image (.jpeg, .jpg) or a PNG image (.png)"."""
    labels = [f"{k.label} ({', '.join(sorted(k.extensions))})" if extensions else k.label for k in kinds]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _content_kind(data: bytes, named: Kind) -> tuple[Kind, str | None]:
    """The kind the bytes are (and a text's charset); refused when they are none of the kinds."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind, None
    if data[4:8] == b"ftyp":
        return _iso_media_kind(data), None
    if data.startswith(ZIP):
        return _office_kind(data), None
    charset = _text_charset(data)
    if charset is None:
        reason = next((r for magic, r in REFUSED_MAGIC if data.startswith(magic)), None)
        raise AttachmentRefused(
            f"the file is {reason}" if reason else "the file's content is not a type accepted"
        )
    head = data.removeprefix(UTF8_BOM).lstrip(b" \t\n\x0c\r")[:64]
    if head.startswith(b"#!"):
        raise AttachmentRefused("the file is a script")
    if MARKUP.match(head):
        raise AttachmentRefused("the file is HTML or XML, which is not accepted")
    return (named if named in (CSV, TEXT) else TEXT), charset


def _text_charset(data: bytes) -> str | None:
    """utf-8 or windows-1252 (what Excel writes as "CSV") for plain text; None for anything else."""
    if CONTROL.search(data):
        return None
    for codec, charset in (("utf-8-sig", "utf-8"), ("cp1252", "windows-1252")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return charset
    return None  # bytes that windows-1252 leaves undefined


def _iso_media_kind(data: bytes) -> Kind:
    """HEIC from the `ftyp` box (size, "ftyp", major brand, minor version, compatible brands); any
    other ISO-BMFF file (an MP4 or MOV video, an AVIF image) is refused."""
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > len(data) or size % 4:
        raise AttachmentRefused("the file's content is not a type accepted")
    major = data[8:12]
    compatible = {data[i : i + 4] for i in range(16, size, 4)}
    if major in HEIC_BRANDS and not (major in (b"mif1", b"msf1") and compatible & AVIF_BRANDS):
        return HEIC
    if major in AVIF_BRANDS or compatible & AVIF_BRANDS:
        raise AttachmentRefused("the file is an AVIF image, which is not accepted")
    raise AttachmentRefused("the file is a video or other media, which is not accepted")


def _office_kind(data: bytes) -> Kind:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise AttachmentRefused("the file is a damaged ZIP archive") from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise AttachmentRefused("the document contains macros, which are not accepted")
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    raise AttachmentRefused("the file is a ZIP archive, not an Excel or Word document")


def safe_filename(filename: str) -> str:
    """The name without a path, control or reserved characters, at most 150 characters before its
    extension; "attachment" when nothing is left."""
    base = unicodedata.normalize("NFC", filename.replace("\\", "/").rpartition("/")[2])
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*').rstrip(" .")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    # No leading dot (a hidden file), no trailing one (Windows drops it), no name of spaces only.
    stem, extension = stem.strip(" .")[:150] or "attachment", extension.strip().lower()[:10]
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str) -> str:
    """`attachment` with the name: an ASCII fallback, and the UTF-8 name (RFC 6266, RFC 8187)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = safe_filename(re.sub(r"[^A-Za-z0-9 ._()\-]", "_", fallback))  # "attachment.pdf" for "日本.pdf"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
