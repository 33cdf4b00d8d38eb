"""On-disk cache of extraction and NLP results, so re-scans after a rule edit are fast.

Entries are keyed by the file's content hash plus the versions of everything that
shaped them (policycheck, the extractor, the NLP pipeline), so a changed file or a
new version never reuses an old entry. Rules are not part of the key: a rule change
re-runs only the (cheap) matching.

Each entry is one file: a magic tag, the SHA-256 of the payload, then the payload
(zlib-compressed JSON; never pickle). Kinds: `extract` (the Document),
`nlp` (clauses and policy type), `index` (clauses by match key) and `findings`
(per rule, keyed by a hash of the rule's content); `checked` lists the
rule regexes and token patterns that passed their check (rules.load_rules).
An entry that does not verify is deleted and rebuilt, never trusted. Writes are
atomic (temporary file + rename), so parallel workers can share the folder.

The folder is `$POLICYCHECK_CACHE_DIR`, else the user's cache folder
(`$XDG_CACHE_HOME/policycheck` or `~/.cache/policycheck` on Linux).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Optional

from policycheck import __version__
from policycheck.model import Block, Document

MAGIC = b"PCCACHE1"
# Bump when the extraction output changes shape or content for the same input.
EXTRACTOR_VERSION = "4"  # 3: blocks keep their place in the DOCX (Block.source); 4: no line boxes
# Bump when clause segmentation, the match keys or policy-type detection change.
NLP_VERSION = "4"  # 4: the clause index is a text of lines (scan.ClauseIndex)
KINDS = ("extract", "nlp", "index", "findings", "checked")
# At most this many checked rule patterns are kept (see Cache.checked_patterns).
MAX_CHECKED_PATTERNS = 5000


def default_folder() -> Path:
    env = os.environ.get("POLICYCHECK_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("policycheck", appauthor=False))


@lru_cache(maxsize=None)
def _versions(*packages: str) -> str:
    from importlib import metadata

    parts = []
    for package in packages:
        try:
            parts.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}=-")
    return ",".join(parts)


def extract_key(sha256: str) -> str:
    versions = f"policycheck={__version__};extractor={EXTRACTOR_VERSION};" + _versions(
        "pdfplumber", "pypdfium2", "python-docx"
    )
    return hashlib.sha256(f"{sha256}\x1f{versions}".encode()).hexdigest()


def nlp_key(sha256: str, pipeline_info) -> str:
    versions = (
        f"policycheck={__version__};extractor={EXTRACTOR_VERSION};nlp={NLP_VERSION};"
        f"pipeline={pipeline_info.name}:{pipeline_info.version}:{','.join(pipeline_info.components)};"
        + _versions("spacy", "spacy-lookups-data", "snowballstemmer")
    )
    return hashlib.sha256(f"{sha256}\x1f{versions}".encode()).hexdigest()


class Cache:
    """A folder of verified cache entries; `enabled=False` makes every lookup a miss."""

    def __init__(self, folder: Optional[Path] = None, enabled: bool = True):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.enabled = enabled
        self.discarded = 0  # corrupt entries found (and removed) in this process

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.bin"

    def get(self, kind: str, key: str) -> Optional[bytes]:
        if not self.enabled:
            return None
        path = self._path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        head = len(MAGIC) + 32
        payload = raw[head:]
        if raw[: len(MAGIC)] != MAGIC or hashlib.sha256(payload).digest() != raw[len(MAGIC) : head]:
            self._discard(path)
            return None
        return payload

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry exists (unverified: `get` still checks it)."""
        return self.enabled and self._path(kind, key).is_file()

    def put(self, kind: str, key: str, payload: bytes) -> None:
        if not self.enabled:
            return
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(temp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed

    def _discard(self, path: Path) -> None:
        self.discarded += 1
        try:
            path.unlink()
        except OSError:
            pass

    # -- documents -----------------------------------------------------------

    def get_document(self, sha256: str, path: str) -> Optional[Document]:
        payload = self.get("extract", extract_key(sha256))
        if payload is None:
            return None
        try:
            document = document_from_dict(json.loads(zlib.decompress(payload)), path)
        except (ValueError, KeyError, TypeError, zlib.error):
            self._discard(self._path("extract", extract_key(sha256)))
            return None
        return document if document.sha256 == sha256 else None

    def put_document(self, document: Document, path_warnings: list[str]) -> None:
        data = document_to_dict(document)
        data["warnings"] = [w for w in data["warnings"] if w not in path_warnings]
        payload = zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)
        self.put("extract", extract_key(document.sha256), payload)

    # -- rule patterns -------------------------------------------------------------

    def _checked_key(self) -> str:
        import platform

        # Python's own regex parser checks most patterns (rules.regex_problem).
        versions = f"policycheck={__version__};python={platform.python_version()};" + _versions("regex", "spacy")
        return hashlib.sha256(versions.encode()).hexdigest()

    def checked_patterns(self) -> set[str]:
        """Rule regexes and token patterns that passed their check before, with these
        versions (rules.pattern_key); empty when there is no (valid) entry."""
        payload = self.get("checked", self._checked_key())
        if payload is None:
            return set()
        try:
            patterns = json.loads(zlib.decompress(payload))
            if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
                return set(patterns)
        except (ValueError, zlib.error):
            pass
        self._discard(self._path("checked", self._checked_key()))
        return set()

    def put_checked_patterns(self, patterns: set[str], before: set[str]) -> None:
        """Keep `patterns` when it has any not in `before` (what checked_patterns gave)."""
        if not self.enabled or patterns <= before:
            return
        if len(patterns) > MAX_CHECKED_PATTERNS:
            patterns = patterns - before  # edited rules over a long time: start again from now
        payload = zlib.compress(json.dumps(sorted(patterns), ensure_ascii=False).encode("utf-8"), 6)
        self.put("checked", self._checked_key(), payload)

    # -- maintenance -----------------------------------------------------------

    def info(self) -> dict:
        counts = {}
        size = 0
        for kind in KINDS:
            files = list((self.folder / kind).rglob("*.bin")) if (self.folder / kind).is_dir() else []
            counts[kind] = len(files)
            size += sum(f.stat().st_size for f in files)
        return {"folder": str(self.folder), "entries": counts, "bytes": size}

    def clear(self) -> int:
        """Remove every entry; returns how many files went."""
        removed = 0
        for kind in KINDS:
            folder = self.folder / kind
            if folder.is_dir():
                removed += sum(1 for _ in folder.rglob("*.bin"))
                shutil.rmtree(folder, ignore_errors=True)
        return removed


def document_to_dict(document: Document) -> dict:
    """What a scan needs of a document. Line boxes are left out: only PDF highlights
    use them, and those read the file again anyway (for each character's position),
    while the boxes made up more than half of an entry and of the time to read it."""
    return {
        "sha256": document.sha256,
        "format": document.format,
        "title": document.title,
        "pages": document.pages,
        "warnings": list(document.warnings),
        "blocks": [
            [
                b.kind, b.text, b.heading_path, b.page, b.paragraph, b.level,
                list(b.source) if b.source is not None else None,
            ]
            for b in document.blocks
        ],
    }


def document_from_dict(data: dict, path: str) -> Document:
    blocks = [
        Block(
            index=0, kind=kind, text=text, heading_path=list(heading_path), page=page, paragraph=paragraph,
            level=level, source=tuple(source) if source is not None else None,
        )
        for kind, text, heading_path, page, paragraph, level, source in data["blocks"]
    ]
    document = Document(
        path=path, sha256=data["sha256"], format=data["format"], blocks=blocks, title=data["title"],
        pages=data["pages"], warnings=list(data["warnings"]),
    )
    return document.finalise()
