"""USB batch files sealed to the server's public key, so a lost stick holds nothing readable.

A sealed file is :data:`SEALED_MAGIC` followed by a libsodium sealed box (X25519 + XSalsa20-
Poly1305, PyNaCl's :class:`~nacl.public.SealedBox`) of the whole signed batch-file document
(``sync.protocol.make_batch_file`` as UTF-8 JSON). Only the server's private key opens it; the
kiosk that wrote it cannot read it back. Inside, the document is still signed with the kiosk's
secret, so the server knows which kiosk wrote it and that nobody changed it (a sealed box alone
proves nothing about its sender).

A caller may rely on: :func:`seal` refusing a key that is not 32 bytes of base64;
:func:`open_sealed` trying each private key in turn (the current one first, then older ones kept
after a rotation) and raising :class:`SealedFileError` with one sentence when none opens it;
:func:`is_sealed` looking only at the magic prefix.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

__all__ = [
    "SEALED_MAGIC",
    "SealedFileError",
    "decode_public_key",
    "is_sealed",
    "open_sealed",
    "public_key_text",
    "seal",
]

SEALED_MAGIC = b"kayttajatori-sealed-batch/1\n"


class SealedFileError(ValueError):
    """The file is not a sealed batch, or none of the server's keys opens it."""


def public_key_text(key: PrivateKey | PublicKey) -> str:
    """The public half as standard base64 (44 characters), as kiosk-config carries it."""
    public = key.public_key if isinstance(key, PrivateKey) else key
    return base64.b64encode(bytes(public)).decode("ascii")


def decode_public_key(text: str) -> PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SealedFileError("the server's USB key is not base64") from None
    if len(raw) != 32:
        raise SealedFileError("the server's USB key is not 32 bytes")
    return PublicKey(raw)


def seal(public_key: str, document: bytes) -> bytes:
    """The sealed file's bytes for ``document``."""
    return SEALED_MAGIC + SealedBox(decode_public_key(public_key)).encrypt(document)


def is_sealed(data: bytes) -> bool:
    return data.startswith(SEALED_MAGIC)


def open_sealed(private_keys: Iterable[PrivateKey], data: bytes) -> bytes:
    """The document inside a sealed file."""
    if not is_sealed(data):
        raise SealedFileError("not a sealed batch file")
    box = data[len(SEALED_MAGIC) :]
    for key in private_keys:
        try:
            return SealedBox(key).decrypt(box)
        except CryptoError:
            continue
    raise SealedFileError(
        "none of this server's USB keys opens the file: it was sealed for another server, "
        "or with a key removed since (see docs/deploy-server.md, key rotation)"
    )
