"""Office keys and signed approvals: Ed25519 through the ``cryptography`` package (the ``sign`` extra).

An office holds one private key (:class:`SigningKey`); whoever may approve for the office uses it, and
anyone may check an approval with the public key (:class:`PublicKey`). What is signed is the canonical
JSON (:func:`matchmaker._canonical.canonical_bytes`) of a small statement: the record's schema version,
the public key's fingerprint, and the SHA-256 digest of every part of the audit record, each named by
its path (``decision.assignments``, ``approval.official``, ``overrides``, ...). The digests are kept in
the record beside the signature (:class:`Signature`), so a verifier can say *which* part changed after
signing, not only that something did.

Keys never appear in a ``repr``, a log or an error message; only a key's fingerprint does.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from matchmaker._canonical import canonical_bytes
from matchmaker._i18n import msg
from matchmaker.errors import InputFileError, MissingExtraError, ValidationIssue

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # optional extra "sign"
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "PublicKey",
    "Signature",
    "SigningKey",
    "generate_keypair",
    "make_signature",
    "part_digests",
    "signature_valid",
    "signed_statement",
]


def _ed25519() -> Any:
    """The ``cryptography`` Ed25519 module, or :class:`MissingExtraError` with the install hint."""
    try:  # function-local: cryptography is the optional extra "sign"
        from cryptography.hazmat.primitives.asymmetric import ed25519  # optional extra "sign"
    except ImportError as exc:
        raise MissingExtraError(msg("signing and verifying approvals"), "sign", "cryptography") from exc
    return ed25519


def _serialization() -> Any:
    _ed25519()  # the same install hint when cryptography is missing
    from cryptography.hazmat.primitives import serialization  # optional extra "sign"

    return serialization


def _bad_key(source: str, private: bool) -> InputFileError:
    # Never quote the file's content: it may be (part of) a private key.
    what = msg("is not a private key (PEM, Ed25519)") if private else msg("is not a public key (PEM, Ed25519)")
    return InputFileError(
        [ValidationIssue.of(source, what, msg("give the file `matchmaker keygen` wrote"))],
        source=source,
    )


class PublicKey:
    """An office's public key: checks signatures. ``fingerprint`` (``sha256:<hex>`` of the raw key) names
    it in records and messages."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the 32 raw bytes of the key."""
        ser = _serialization()
        raw = self._key.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
        return "sha256:" + hashlib.sha256(raw).hexdigest()

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature of exactly ``data``."""
        from cryptography.exceptions import InvalidSignature  # optional extra "sign"

        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def to_pem(self) -> bytes:
        """The key as PEM (SubjectPublicKeyInfo)."""
        ser = _serialization()
        return bytes(self._key.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo))

    @classmethod
    def from_pem(cls, data: bytes, source: str = "public key") -> PublicKey:
        """Read a public key written by :meth:`to_pem`. Raises :class:`InputFileError` naming ``source``."""
        ed25519, ser = _ed25519(), _serialization()
        try:
            key = ser.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise _bad_key(source, private=False) from exc
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise _bad_key(source, private=False)
        return cls(key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"PublicKey({self.fingerprint})"


class SigningKey:
    """An office's private key: signs approvals. Its ``repr`` shows only the public key's fingerprint."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @property
    def public_key(self) -> PublicKey:
        """The public key that checks this key's signatures."""
        return PublicKey(self._key.public_key())

    def sign(self, data: bytes) -> bytes:
        """The Ed25519 signature (64 bytes) of ``data``."""
        return bytes(self._key.sign(data))

    def to_pem(self) -> bytes:
        """The key as unencrypted PEM (PKCS #8); keep the file readable by its holder only."""
        ser = _serialization()
        return bytes(self._key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()))

    @classmethod
    def from_pem(cls, data: bytes, source: str = "private key") -> SigningKey:
        """Read a private key written by :meth:`to_pem`. Raises :class:`InputFileError` naming ``source``."""
        ed25519, ser = _ed25519(), _serialization()
        try:
            key = ser.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise _bad_key(source, private=True) from exc
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise _bad_key(source, private=True)
        return cls(key)

    def __repr__(self) -> str:
        return f"SigningKey(<private>, public {self.public_key.fingerprint})"


def generate_keypair() -> tuple[SigningKey, PublicKey]:
    """A new office key pair: the private key (to sign approvals) and its public key (to check them).

    Raises:
        MissingExtraError: the ``sign`` extra (``cryptography``) is not installed.
    """
    key = SigningKey(_ed25519().Ed25519PrivateKey.generate())
    return key, key.public_key


class Signature(BaseModel):
    """The signature of an approved record: ``algorithm``, the signing key's ``key_fingerprint``, the
    ``digests`` of every part of the record that was signed (path -> ``sha256:<hex>``) and ``value``, the
    signature of :func:`signed_statement` in base64."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: Literal["ed25519"] = "ed25519"
    key_fingerprint: str
    digests: dict[str, str]
    value: str


def _digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_bytes(value)).hexdigest()


def part_digests(data: Mapping[str, Any]) -> dict[str, str]:
    """The digest of every part of a record's JSON ``data`` (without its ``signature``), by path: a
    top-level field, or for an object one level deeper (``approval.role``), so a change is named."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if key == "signature":
            continue
        if isinstance(value, dict) and value:
            for sub, inner in value.items():
                out[f"{key}.{sub}"] = _digest(inner)
        else:
            out[key] = _digest(value)
    return out


def signed_statement(schema_version: int, key_fingerprint: str, digests: Mapping[str, str]) -> bytes:
    """The exact bytes a signature covers (canonical JSON)."""
    return canonical_bytes(
        {
            "kind": "matchmaker.signed-approval",
            "schema_version": schema_version,
            "key_fingerprint": key_fingerprint,
            "digests": dict(digests),
        }
    )


def make_signature(data: Mapping[str, Any], schema_version: int, key: SigningKey) -> Signature:
    """Sign the record whose JSON is ``data``."""
    digests = part_digests(data)
    fingerprint = key.public_key.fingerprint
    value = key.sign(signed_statement(schema_version, fingerprint, digests))
    return Signature(key_fingerprint=fingerprint, digests=digests, value=base64.b64encode(value).decode("ascii"))


def signature_valid(signature: Signature, schema_version: int, key: PublicKey) -> bool:
    """Whether ``signature.value`` is ``key``'s signature of the statement of its own digests."""
    try:
        raw = base64.b64decode(signature.value, validate=True)
    except ValueError:
        return False
    return key.verify(signed_statement(schema_version, signature.key_fingerprint, signature.digests), raw)
