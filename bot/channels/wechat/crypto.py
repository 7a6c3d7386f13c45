"""WeChat callback signatures and safe-mode (安全模式) message encryption: AES-256-CBC with the
EncodingAESKey, PKCS#7 padding to 32 bytes and the app id appended to every message."""

import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AES_KEY_CHARS = 43
AES_KEY_BYTES = 32
PAD_BLOCK = 32
RANDOM_BYTES = 16
_HEADER_BYTES = RANDOM_BYTES + 4


class InvalidSignature(Exception):
    """A signature or msg_signature that does not match the token and the request."""


class InvalidPayload(Exception):
    """An Encrypt value that does not decrypt to a message for this account."""


def signature(token: str, *parts: str) -> str:
    """The sha1 hex digest of the token and parts, sorted and concatenated (WeChat's scheme)."""
    return hashlib.sha1("".join(sorted((token, *parts))).encode("utf-8")).hexdigest()


def signature_ok(expected: str | None, token: str, *parts: str) -> bool:
    """Whether `expected` is the signature of the token and parts (constant-time compare);
    False when it, or any part, is missing or not a string."""
    if not isinstance(expected, str) or not all(isinstance(p, str) for p in (token, *parts)):
        return False
    return hmac.compare_digest(expected.encode("utf-8"), signature(token, *parts).encode("ascii"))


def _aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey; ValueError when it is not one."""
    problem = "must be the 43-character EncodingAESKey from the WeChat console"
    if not isinstance(encoding_aes_key, str) or len(encoding_aes_key) != AES_KEY_CHARS:
        length = len(encoding_aes_key) if isinstance(encoding_aes_key, str) else "no"
        raise ValueError(f"WECHAT_ENCODING_AES_KEY {problem} (got {length} characters)")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"WECHAT_ENCODING_AES_KEY {problem} (not base64)") from None
    if len(key) != AES_KEY_BYTES:
        raise ValueError(f"WECHAT_ENCODING_AES_KEY {problem} (does not decode to 32 bytes)")
    return key


@dataclass(frozen=True)
class WeChatCrypto:
    """One account's safe-mode settings; the key is checked when the object is made."""

    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    app_id: str

    def __post_init__(self) -> None:
        _aes_key(self.encoding_aes_key)
        if not isinstance(self.token, str) or not self.token:
            raise ValueError("the WeChat token must be a non-empty string")
        if not isinstance(self.app_id, str) or not self.app_id:
            raise ValueError("the WeChat app id must be a non-empty string")

    def _cipher(self) -> Cipher[modes.CBC]:
        key = _aes_key(self.encoding_aes_key)
        return Cipher(algorithms.AES(key), modes.CBC(key[:RANDOM_BYTES]))

    def check_message(self, msg_signature: str | None, timestamp: str, nonce: str,
                      encrypt: str) -> None:
        """Raise InvalidSignature unless msg_signature signs timestamp, nonce and Encrypt."""
        if not signature_ok(msg_signature, self.token, timestamp, nonce, encrypt):
            raise InvalidSignature("msg_signature does not match")

    def decrypt(self, encrypt_b64: str) -> bytes:
        """The message (UTF-8 XML) inside an Encrypt value; InvalidPayload on any problem.
        Check the msg_signature first: CBC alone does not authenticate."""
        try:
            data = base64.b64decode(encrypt_b64, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise InvalidPayload("Encrypt is not base64") from None
        if not data or len(data) % RANDOM_BYTES:
            raise InvalidPayload("Encrypt is not a whole number of AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= PAD_BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise InvalidPayload("bad padding")
        content = plain[:-pad]
        if len(content) < _HEADER_BYTES:
            raise InvalidPayload("too short for the random prefix and the length field")
        (length,) = struct.unpack(">I", content[RANDOM_BYTES:_HEADER_BYTES])
        if length > len(content) - _HEADER_BYTES:
            raise InvalidPayload("length field out of range")
        message = content[_HEADER_BYTES:_HEADER_BYTES + length]
        app_id = content[_HEADER_BYTES + length:]
        if not hmac.compare_digest(app_id, self.app_id.encode("utf-8")):
            raise InvalidPayload("the message is for another app id")
        return message

    def encrypt(self, message: bytes, random16: bytes | None = None) -> str:
        """The Encrypt value (base64) of a message; `random16` is for tests, else os.urandom."""
        prefix = os.urandom(RANDOM_BYTES) if random16 is None else random16
        if len(prefix) != RANDOM_BYTES:
            raise ValueError("random16 must be 16 bytes")
        plain = prefix + struct.pack(">I", len(message)) + message + self.app_id.encode("utf-8")
        pad = PAD_BLOCK - len(plain) % PAD_BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")
