"""Checks on a DOCX (zip) package before python-docx parses any of it.

A DOCX comes from anywhere, so before parsing:

- zip bombs: the declared uncompressed sizes must stay under the limit, no part
  may be packed suspiciously tightly, and the bytes actually unpacked are counted
  (reading stops at the limit, whatever the headers claim);
- XML attacks: a part with a document type declaration (`<!DOCTYPE`, needed for
  external entities (XXE) and entity expansion ("billion laughs")) is refused.
  Word never writes one. python-docx's parser does not resolve entities either;
  the refusal makes that independent of library versions;
- macros: a .docm is read like a .docx; its VBA project is never opened, and the
  user is told it was ignored.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from ..errors import InputError
from .options import format_size

MAX_PARTS = 5000  # a long policy document has a few dozen parts
MAX_RATIO = 200  # XML packs 5-30x; a bomb packs ~1000x
RATIO_MIN_SIZE = 1024 * 1024  # small parts may pack tightly (e.g. empty settings)
_CHUNK = 64 * 1024

# Main-document content types that are read as a DOCX.
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MAIN_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
}
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"  # .dotx
READABLE_MAIN_TYPES = {DOCX_MAIN, TEMPLATE_MAIN, *MACRO_MAIN_TYPES}

_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_MAX_MARKER = max(len(m) for m in _DTD_MARKERS)
_CONTENT_TYPE_RE = re.compile(rb'PartName="/word/[^"]+"\s+ContentType="([^"]+)"|ContentType="([^"]+)"\s+PartName="/word/')
_RESAVE = "open het in Word of LibreOffice en sla het opnieuw op als .docx"


@dataclass
class PackageInfo:
    has_macros: bool = False
    unpacked_bytes: int = 0


def _bomb(path: str, what: str) -> InputError:
    return InputError(
        path,
        f"DOCX-bestand geweigerd: {what} (zip-bom?)",
        "controleer de herkomst van het bestand; verhoog zo nodig de grens met --max-size",
    )


def inspect_package(path: str, data: bytes, max_bytes: int) -> PackageInfo:
    """Check the package; raises InputError for a bomb or an XML part with a DTD.

    max_bytes (int): the largest total the parts may unpack to (0 = no limit).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise InputError(path, "beschadigd DOCX-bestand (geen geldig zip-archief)", _RESAVE) from None
    info = PackageInfo()
    with archive:
        if len(infos) > MAX_PARTS:
            raise _bomb(path, f"{len(infos)} onderdelen in het zip-archief")
        declared = sum(item.file_size for item in infos)
        if max_bytes and declared > max_bytes:
            raise _bomb(
                path, f"pakt volgens het archief uit tot {format_size(declared)}, meer dan de grens van "
                f"{format_size(max_bytes)}"
            )
        for item in infos:
            if item.file_size >= RATIO_MIN_SIZE and item.file_size > MAX_RATIO * max(item.compress_size, 1):
                raise _bomb(
                    path, f"{item.filename} is {item.file_size // max(item.compress_size, 1)} keer ingepakt"
                )
        for item in infos:
            name = item.filename.lower()
            if name.endswith("vbaproject.bin"):
                info.has_macros = True  # noted, never read
                continue
            is_xml = name.endswith((".xml", ".rels"))
            info.unpacked_bytes += _read_part(path, archive, item, is_xml, max_bytes, info.unpacked_bytes)
        try:
            content_types = archive.read("[Content_Types].xml")
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            content_types = b""
    for match in _CONTENT_TYPE_RE.finditer(content_types):
        if (match.group(1) or match.group(2)).decode("ascii", "replace") in MACRO_MAIN_TYPES:
            info.has_macros = True
    return info


def _read_part(path: str, archive: zipfile.ZipFile, item: zipfile.ZipInfo, is_xml: bool, max_bytes: int,
               so_far: int) -> int:
    """Unpack one part in chunks, counting the real bytes; look for a DTD in XML parts."""
    count = 0
    tail = b""
    try:
        with archive.open(item) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                count += len(chunk)
                if max_bytes and so_far + count > max_bytes:
                    raise _bomb(path, f"pakt uit tot meer dan de grens van {format_size(max_bytes)}")
                if is_xml:
                    window = tail + chunk
                    if any(marker in window for marker in _DTD_MARKERS):
                        raise InputError(
                            path,
                            f"DOCX-bestand geweigerd: {item.filename} bevat een DTD (<!DOCTYPE> of <!ENTITY>), "
                            "die Word nooit schrijft en die voor een aanval (XXE, entiteit-expansie) kan dienen",
                            _RESAVE,
                        )
                    tail = window[-_MAX_MARKER:]
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as error:
        # Bad CRC, a size that does not match the header, an unsupported method or encryption.
        raise InputError(
            path, f"beschadigd DOCX-bestand ({item.filename}: {_zip_problem(error)})", _RESAVE
        ) from None
    return count


def _zip_problem(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, zlib.error):
        return "ingepakte gegevens beschadigd"
    if "CRC" in text:
        return "controlegetal klopt niet"
    if "password" in text.lower() or "encrypted" in text.lower():
        return "versleuteld onderdeel"
    if "compression" in text.lower():
        return "onbekende compressiemethode"
    return "onderdeel kan niet worden uitgepakt"
