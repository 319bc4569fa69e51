"""Files journeyline writes: private (0600 in 0700 folders), whole or not at all.

Every file holds customer words (the database, exports, maps), so it is readable by its
owner only. A file is written to a temporary file in the same folder and renamed over
the target: a reader (or a crash) never sees half a file, and a symlink at the target's
name is replaced, never followed (a link planted in an output folder cannot redirect
the write). Folders are checked before any work starts (``prepare_folder``), so a
command fails before it stores anything rather than after.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


class OutputError(OSError):
    """A folder or file cannot be written; the message names it and says why."""


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only; an existing folder is left as
    it is. Raises `OutputError` when ``path`` exists and is not a folder."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    except OSError as error:
        raise OutputError(f"cannot create the folder {path}: {error.strerror or error}") from None
    return path


def prepare_folder(path: Path) -> Path:
    """The folder to write into, created if missing and checked writable, before any
    work is done; `OutputError` otherwise (an empty name, a file in the way, no
    permission)."""
    if not str(path).strip():
        raise OutputError("the output folder name is empty")
    private_folder(path)
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".journeyline-check-"):
            pass
    except OSError as error:
        raise OutputError(f"cannot write into {path}: {error.strerror or error}") from None
    return path


def prepare_file(path: Path) -> Path:
    """Check that ``path`` can be written as a file (its folder created if missing):
    `OutputError` for an empty name or a folder in the way."""
    if not str(path).strip() or path.name in ("", ".", ".."):
        raise OutputError("the output file name is empty")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name")
    prepare_folder(path.parent)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and owner-only (see the module)."""
    folder = path.parent
    private_folder(folder)
    if path.is_dir() and not path.is_symlink():
        raise OutputError(f"{path} is a folder; it cannot be replaced by a file")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, PRIVATE_FILE)
        # rename() replaces the name: a symlink there is replaced, not followed.
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def private_file(path: Path) -> None:
    """Make an existing file (not a symlink) owner-only; a file that does not exist yet
    is created empty and owner-only, so a library that creates it later (SQLite) keeps
    those permissions."""
    if path.is_symlink():
        return
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        with contextlib.suppress(PermissionError):  # not ours to change
            os.chmod(path, PRIVATE_FILE)
