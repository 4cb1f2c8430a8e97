"""Files in and out: size-limited reads and atomic writes that never replace an input file.

A write goes to a temporary file in the same folder and is renamed into place, so a failed write never
leaves a half-written file. ``private=True`` creates the file readable by its owner only (for the
pseudonymisation key and secret).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from matchmaker._i18n import Message, msg
from matchmaker._limits import Limits, current_limits
from matchmaker.errors import InputFileError, ValidationIssue

__all__ = ["DEFAULT_MAX_BYTES", "atomic_write_bytes", "atomic_write_text", "read_limited"]

#: Files larger than this are refused before they are read, unless raised (``max_bytes`` or
#: :func:`matchmaker.use_limits`): ``Limits().max_file_bytes``.
DEFAULT_MAX_BYTES = Limits().max_file_bytes


def read_limited(path: str | os.PathLike[str], max_bytes: int | None = None) -> bytes:
    """The bytes of ``path``; raises :class:`InputFileError` if it is missing, unreadable or too large.

    ``max_bytes`` defaults to the ``max_file_bytes`` of the limits in force (:func:`matchmaker.use_limits`).
    """
    p = Path(path)
    if max_bytes is None:
        max_bytes = current_limits().max_file_bytes
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputFileError(
                [
                    ValidationIssue.of(
                        str(p),
                        msg("is {size:,} bytes, over the limit of {limit:,} bytes", size=size, limit=max_bytes),
                        msg(
                            "check that this is the right file, or raise the limit (max_bytes, or "
                            "Limits.max_file_bytes)"
                        ),
                    )
                ],
                source=str(p),
            )
        return p.read_bytes()
    except OSError as exc:
        raise InputFileError(
            [
                ValidationIssue.of(
                    str(p),
                    msg("cannot be read ({reason})", reason=_reason(exc)),
                    msg("check the path and permissions"),
                )
            ],
            source=str(p),
        ) from exc


def _reason(exc: OSError) -> Message | str:
    """Why a file cannot be used: our words for the common cases, else the system's own."""
    if isinstance(exc, FileNotFoundError):
        return msg("no such file or folder")
    if isinstance(exc, PermissionError):
        return msg("permission denied")
    if isinstance(exc, IsADirectoryError):
        return msg("it is a folder")
    return exc.strerror or str(exc)


def _unwritable(target: Path, exc: OSError, fix: Message) -> ValidationIssue:
    return ValidationIssue.of(str(target), msg("cannot be written ({reason})", reason=_reason(exc)), fix)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, protect: tuple[Path, ...] = (), private: bool = False
) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    Raises:
        InputFileError: if ``path`` is one of ``protect`` (never overwrite an input) or cannot be written;
            the temporary file is removed and an existing ``path`` is left as it was.
    """
    target = Path(path)
    for other in protect:
        if _same_file(target, other):
            raise InputFileError(
                [ValidationIssue.of(str(target), msg("is also an input file"), msg("write the output to another path"))]
            )
    folder = target.parent if str(target.parent) else Path(".")
    tmp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        # O_EXCL: never follow or reuse an existing file; 0o666 lets the umask decide, as open() does.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
    except OSError as exc:
        raise InputFileError([_unwritable(target, exc, msg("check the folder"))]) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists() and not private:
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except OSError as exc:  # a full disk, a folder that went away: no partial file, an input error
        tmp.unlink(missing_ok=True)
        raise InputFileError([_unwritable(target, exc, msg("check the folder and disk"))]) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, protect: tuple[Path, ...] = (), private: bool = False
) -> None:
    """Write ``text`` as UTF-8 (line endings as given) to ``path`` atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), protect=protect, private=private)
