"""Writing output files safely: checked before the scan, written atomically after it.

A report or an annotated copy is first written to a hidden temporary file in the
target folder and then renamed over the target, so a crash or a full disk leaves
either the old file or the complete new one, never half a file. The input document
is never a valid target.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Union

from policycheck.errors import PolicycheckError


def _target_and_folder(path: str) -> tuple[Path, Path]:
    """The output file and its folder; PolicycheckError when it is a folder or has none."""
    target = Path(path)
    if target.is_dir():
        raise PolicycheckError(f"{path}: is een map; geef een bestandsnaam op met -o")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise PolicycheckError(f"{path}: map {folder} bestaat niet")
    return target, folder


def check_output_path(path: str, inputs: Iterable[str] = ()) -> None:
    """Raise PolicycheckError (Dutch, naming the path) when `path` cannot be written,
    or is one of the input files. Called before scanning, so no work is wasted."""
    target, folder = _target_and_folder(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PolicycheckError(f"{path}: geen schrijfrechten in map {folder}")
    if target.exists() and not os.access(target, os.W_OK):
        raise PolicycheckError(f"{path}: bestand is alleen-lezen")
    for source in inputs:
        if source == "-":
            continue
        if _same_file(target, Path(source)):
            raise PolicycheckError(
                f"{path}: is het invoerbestand zelf; kies een andere naam met -o "
                "(policycheck verandert het origineel nooit)"
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def write_output(path: str, data: Union[str, bytes]) -> None:
    """Write `data` (text as UTF-8 with \\n line ends, or bytes) to `path` atomically."""
    target, folder = _target_and_folder(path)
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if isinstance(data, bytes):
            stream = os.fdopen(handle, "wb")
        else:
            stream = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        with stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # the data is on disk before the rename makes it visible
        if target.exists():
            # Keep the permissions of the file being replaced (mkstemp makes it 0600).
            os.chmod(temp_name, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
