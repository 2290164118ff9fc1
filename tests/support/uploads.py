"""Small files of every kind attachments accept or refuse, made in the test (nothing shipped)."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CSV = b"provider,miles,amount\nMZ Care Ltd,150,58.05\n"
WINDOWS_CSV = "provider,amount\nCaf\u00e9 Care,\u00a358.05\n".encode("cp1252")
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
LINUX_EXE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
OLD_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56


def office(*parts: str) -> bytes:
    """A ZIP holding the named parts (as an .xlsx or .docx does, or not)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in parts:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


XLSX = office("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCX = office("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSM = office("[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin")


def iso_media(major: bytes, *compatible: bytes) -> bytes:
    """The start of an ISO-BMFF file: its `ftyp` box (size, "ftyp", major brand, minor version,
    compatible brands), then a `meta` box's head, as a HEIC photo or an MP4 video begins."""
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00\x00\x00\x22meta" + b"\x00" * 30


HEIC = iso_media(b"heic", b"mif1", b"heic")  # what an iPhone writes
HEIF = iso_media(b"mif1", b"mif1", b"heic")
AVIF = iso_media(b"avif", b"mif1", b"avif")
MP4 = iso_media(b"isom", b"isom", b"iso2", b"mp41")
