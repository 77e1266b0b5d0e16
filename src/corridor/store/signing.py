"""Ed25519 signatures over a canonical JSON encoding of agreements.

A signature is only verifiable by a third party if everybody serialises the signed document to
the same bytes, so documents are encoded the RFC 8785 way (JSON Canonicalization Scheme):
object keys sorted by UTF-16 code units, no insignificant whitespace, UTF-8, and numbers in the
ECMAScript shortest round-trip form. Everything here works offline: the party's private key never
needs to reach the server.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from corridor.errors import StoreError
from corridor.i18n import _

#: Bound into every signed document so a signature cannot be replayed in another protocol.
DOCUMENT_TYPE = "corridor-agreement/v1"
#: What a party actually signs: the document together with its own id, so that one party's
#: signature can never pass as another's, even under the same key.
STATEMENT_TYPE = "corridor-signature/v1"


def signed_statement(document: Mapping[str, Any], party_id: str) -> dict[str, Any]:
    """The statement ``party_id`` signs to agree to ``document``."""
    return {"type": STATEMENT_TYPE, "signer": party_id, "document": dict(document)}


def statement_bytes(document: Mapping[str, Any], party_id: str) -> bytes:
    """The exact bytes ``party_id`` signs: its statement as canonical JSON."""
    return canonical_json(signed_statement(document, party_id))


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as RFC 8785 canonical JSON bytes."""
    return _encode(value).encode("utf-8")


def _encode(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _encode_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: str(k).encode("utf-16-be"))
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{_encode(value[k])}" for k in keys)
        return "{" + ",".join(items) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    raise StoreError(_("cannot encode {type} as canonical JSON").format(
        type=type(value).__name__))


def _encode_float(value: float) -> str:
    """ECMAScript ``Number.prototype.toString``, which RFC 8785 prescribes for numbers."""
    if not math.isfinite(value):
        raise StoreError(_("{value} has no JSON representation").format(value=value))
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digits_tuple.digits)).rstrip("0") or "0"
    exponent = int(digits_tuple.exponent) + len(digits_tuple.digits) - len(digits)
    k, n = len(digits), len(digits) + exponent
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        body = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + body


def fingerprint(public_key_hex: str) -> str:
    """Short, stable name of a public key that people can compare by eye."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def parse_public_key(public_key_hex: str) -> Ed25519PublicKey:
    """Load a raw 32-byte Ed25519 public key given as 64 hex digits."""
    try:
        raw = bytes.fromhex(public_key_hex)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise StoreError(_("public key must be 64 hex digits (raw Ed25519)"),
                         field="public_key") from exc


@dataclass(frozen=True)
class KeyPair:
    """A party's signing key, as written to and read from a PEM file."""

    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> KeyPair:
        """A fresh random key pair."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> KeyPair:
        """Read a PKCS#8 PEM private key as written by :meth:`save`."""
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise StoreError(_("cannot read an Ed25519 private key: {reason}").format(reason=exc),
                             source=path) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise StoreError(_("not an Ed25519 private key"), source=path)
        return cls(key)

    def save(self, path: Path) -> None:
        """Write the private key readable by its owner only: it is the party's signature.

        The key appears whole or not at all, and never replaces an existing file
        (:class:`FileExistsError`): a half-written key would lock the party out of signing.
        """
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _publish(pem, path)

    @property
    def public_key_hex(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return raw.hex()

    def sign(self, document: Mapping[str, Any], party_id: str) -> str:
        """Hex signature of ``party_id``'s statement agreeing to the document."""
        return self.private_key.sign(statement_bytes(document, party_id)).hex()


def _publish(data: bytes, path: Path) -> None:
    """Write ``data`` to a private scratch file beside ``path``, then link it into place.

    A link, unlike a rename, fails when ``path`` exists. Errors name ``path``, not the
    scratch file the operating system would name, or nothing.
    """
    try:
        fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _about(exc, path) from exc
    try:
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise _about(exc, path) from exc
        os.link(scratch, path)
    finally:
        os.unlink(scratch)


def _about(exc: OSError, path: Path) -> OSError:
    return OSError(exc.errno, _("cannot write the key: {reason}").format(reason=exc.strerror),
                   str(path))


def signature_valid(public_key_hex: str, document: Mapping[str, Any], signature_hex: str,
                    party_id: str) -> bool:
    """Whether ``signature_hex`` is the key holder's signature of this document as ``party_id``."""
    key = parse_public_key(public_key_hex)
    try:
        key.verify(bytes.fromhex(signature_hex), statement_bytes(document, party_id))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SignatureCheck:
    """Outcome for one party's signature on an agreement."""

    party_id: str
    fingerprint: str
    valid: bool


@dataclass(frozen=True)
class AgreementCheck:
    """Outcome for a whole agreement: valid only when every party signed and each verifies."""

    signatures: list[SignatureCheck]
    missing: list[str]

    @property
    def valid(self) -> bool:
        return not self.missing and all(s.valid for s in self.signatures)


def verify_agreement(
    document: Mapping[str, Any],
    signatures: Mapping[str, str],
    public_keys: Mapping[str, str],
) -> AgreementCheck:
    """Check an agreement offline, given each party's signature and public key (both hex).

    The parties that must sign are read from the document itself, so adding or dropping a party
    after signing invalidates every signature rather than going unnoticed.
    """
    required = [str(p) for p in document.get("parties", [])]
    checks = [
        SignatureCheck(
            party_id=party,
            fingerprint=fingerprint(public_keys[party]) if party in public_keys else "",
            valid=party in public_keys
            and signature_valid(public_keys[party], document, signatures[party], party),
        )
        for party in required
        if party in signatures
    ]
    return AgreementCheck(signatures=checks, missing=[p for p in required if p not in signatures])
