"""Office key files: write a new key pair, read a private or a public key.

``matchmaker keygen --out KEY`` writes the private key to ``KEY`` (PEM, readable by its owner only, never
over an existing file) and the public key to ``KEY.pub``. Errors name the file, never its content: a key
never appears in a message or a log. Signing itself is in :mod:`matchmaker.review._signing`.
"""

from __future__ import annotations

import os
from pathlib import Path

from matchmaker._i18n import msg
from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io._files import atomic_write_bytes, read_limited
from matchmaker.review._signing import PublicKey, SigningKey, generate_keypair

__all__ = ["load_public_key", "load_signing_key", "public_key_path", "write_keypair"]

#: A PEM key is a few hundred bytes; anything much larger is not a key file.
_MAX_KEY_BYTES = 64 * 1024


def public_key_path(private: str | os.PathLike[str]) -> Path:
    """Where :func:`write_keypair` puts the public key of the private key file ``private``: ``KEY.pub``."""
    target = Path(private)
    return target.with_name(target.name + ".pub")


def write_keypair(path: str | os.PathLike[str]) -> PublicKey:
    """Make a new office key pair: the private key to ``path`` (PEM, mode 0600), the public key to
    ``path.pub``. Refuses to replace either file, so an office key is never lost by a second run.

    Raises:
        InputFileError: either file exists or cannot be written.
        MissingExtraError: the ``sign`` extra (``cryptography``) is not installed.
    """
    target, public = Path(path), public_key_path(path)
    for existing in (target, public):
        if existing.exists():
            raise InputFileError(
                [
                    ValidationIssue.of(
                        str(existing), msg("already exists"), msg("keep the old key, or choose a new file name")
                    )
                ],
                source=str(existing),
            )
    key, public_key = generate_keypair()
    try:
        # O_EXCL: never replace a file that appeared since the check; 0o600: the holder alone reads it.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise InputFileError(
            [
                ValidationIssue.of(
                    str(target),
                    msg("cannot be written ({reason})", reason=exc.strerror or exc),
                    msg("check the folder"),
                )
            ],
            source=str(target),
        ) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.to_pem())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    try:
        atomic_write_bytes(public, public_key.to_pem())
    except BaseException:
        target.unlink(missing_ok=True)  # no private key without its public key
        raise
    return public_key


def load_signing_key(path: str | os.PathLike[str]) -> SigningKey:
    """The private key in ``path`` (as :func:`write_keypair` wrote it).

    Raises:
        InputFileError: the file is missing or holds no Ed25519 private key (its content is never shown).
    """
    return SigningKey.from_pem(read_limited(path, _MAX_KEY_BYTES), str(path))


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """The public key in ``path`` (``KEY.pub``, as :func:`write_keypair` wrote it).

    Raises:
        InputFileError: the file is missing or holds no Ed25519 public key.
    """
    return PublicKey.from_pem(read_limited(path, _MAX_KEY_BYTES), str(path))
