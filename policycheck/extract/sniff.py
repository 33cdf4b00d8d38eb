"""Tell PDF, DOCX and plain text apart by their bytes, and decode text."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

from ..errors import InputError

PDF = "pdf"
DOCX = "docx"
TEXT = "text"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_MAX_CONTROL_SHARE = 0.01
_SAMPLE = 64 * 1024

TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown"}
_EXPECTED = {".pdf": PDF, ".docx": DOCX, ".docm": DOCX, **{e: TEXT for e in TEXT_EXTENSIONS}}
_FORMAT_NAMES = {PDF: "een PDF", DOCX: "een DOCX-bestand", TEXT: "tekst"}


def _extension(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\x7f")
    return bad / len(text)


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode `data` as text: (text, encoding name), or None when it is not text.

    Tries UTF-8 (with or without BOM), UTF-16 with BOM (or without BOM when the
    zero bytes say so), then Windows-1252 when few control characters result.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        return (text, "utf-16") if _control_share(text) <= _MAX_CONTROL_SHARE else None
    if b"\x00" in data:
        return _decode_utf16_without_bom(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return (text, "utf-8") if _control_share(text) <= _MAX_CONTROL_SHARE else None
    if any(b in _CP1252_UNDEFINED for b in data):
        return None
    text = data.decode("cp1252")
    return (text, "cp1252") if _control_share(text) <= _MAX_CONTROL_SHARE else None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_zero = data[0::2].count(0)
    odd_zero = data[1::2].count(0)
    half = len(data) // 2
    if odd_zero > 0.3 * half and even_zero == 0:
        encoding = "utf-16-le"
    elif even_zero > 0.3 * half and odd_zero == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return (text, encoding) if _control_share(text) <= _MAX_CONTROL_SHARE else None


def _sniff_zip(data: bytes, path: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError, NotImplementedError, RuntimeError):
        raise InputError(
            path,
            "beschadigd DOCX-bestand (geen geldig zip-archief)",
            "open het in Word of LibreOffice en sla het opnieuw op als .docx",
        ) from None
    if "word/document.xml" in names:
        return DOCX
    if b"opendocument.text" in mimetype:
        raise InputError(path, "OpenDocument-tekst (.odt) wordt niet ondersteund", "sla het op als .docx of PDF")
    if any(name.startswith("xl/") for name in names):
        raise InputError(path, "Excel-bestand wordt niet ondersteund", "sla het beleidsdocument op als .docx of PDF")
    if any(name.startswith("ppt/") for name in names):
        raise InputError(path, "PowerPoint-bestand wordt niet ondersteund", "sla het beleidsdocument op als .docx of PDF")
    if "[Content_Types].xml" in names or _extension(path) in (".docx", ".docm"):
        raise InputError(
            path,
            "beschadigd DOCX-bestand (word/document.xml ontbreekt)",
            "open het in Word of LibreOffice en sla het opnieuw op als .docx",
        )
    raise InputError(path, "zip-archief is geen DOCX-bestand", "pak het uit en geef de documenten zelf op")


def sniff_format(data: bytes, path: str) -> str:
    """The format of `data`: "pdf", "docx" or "text"; InputError when unreadable.

    data (bytes): the whole file.
    path (str): only used in messages and to word them better.
    """
    if not data:
        raise InputError(path, "leeg bestand", "controleer of het juiste bestand is opgegeven")
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(_OLE2_MAGIC):
        head = data[:_SAMPLE]
        if "EncryptedPackage".encode("utf-16-le") in head or "EncryptionInfo".encode("utf-16-le") in head:
            raise InputError(
                path,
                "versleuteld Word-bestand (beveiligd met een wachtwoord)",
                "verwijder het wachtwoord in Word en sla het opnieuw op als .docx",
            )
        raise InputError(path, "oud Word-formaat (.doc)", "sla het op als .docx")
    if data.startswith(_ZIP_MAGICS):
        return _sniff_zip(data, path)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise InputError(path, "RTF-bestand wordt niet ondersteund", "sla het op als .docx of PDF")
    if decode_text(data) is not None:
        return TEXT
    ext = _extension(path)
    if ext in (".docx", ".docm"):
        raise InputError(
            path,
            "beschadigd DOCX-bestand (geen geldig zip-archief)",
            "open het in Word of LibreOffice en sla het opnieuw op als .docx",
        )
    if ext == ".pdf":
        raise InputError(path, "beschadigde PDF (geen PDF-kop gevonden)", "exporteer of download de PDF opnieuw")
    raise InputError(path, "onbekend bestandsformaat", "policycheck leest PDF, DOCX en platte tekst zoals .txt en .md")


def extension_warning(path: str, fmt: str) -> str | None:
    """A Dutch warning when the file name's extension disagrees with the content."""
    ext = _extension(path)
    expected = _EXPECTED.get(ext)
    if expected is None or expected == fmt:
        return None
    return f"bestandsnaam eindigt op {ext} maar de inhoud is {_FORMAT_NAMES[fmt]}"
