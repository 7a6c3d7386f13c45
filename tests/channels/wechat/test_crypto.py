"""WeChat signatures and safe-mode encryption, against the official test vectors."""

import base64
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.wechat.crypto import (
    InvalidPayload, InvalidSignature, WeChatCrypto, signature, signature_ok)
from bot.channels.wechat.messages import parse_message

REFERENCE = Path("/work/shared/reference/wechat-vector-a-plaintext.xml")

A_TOKEN = "spamtest"
A_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
A_APP_ID = "wx2c2769f8efd9abc2"
A_TIMESTAMP = "1409735669"
A_NONCE = "1320562132"
A_SIGNATURE = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
A_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
A_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8"
    "PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jis"
    "a+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6"
    "X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl"
    "9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=")

B_TOKEN = "123456"
B_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
B_ID = "wx49f0ab532d5d035a"
B_TIMESTAMP = "1411443780"
B_NONCE = "437374425"
B_ECHOSTR = ("4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p"
             "+Q==")
B_MSG_SIGNATURE = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"


@pytest.fixture
def crypto_a() -> WeChatCrypto:
    return WeChatCrypto(token=A_TOKEN, encoding_aes_key=A_KEY, app_id=A_APP_ID)


def _raw_cipher(key_text: str) -> Cipher[modes.CBC]:
    key = base64.b64decode(key_text + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def _raw_decrypt(key_text: str, encrypt: str) -> bytes:
    decryptor = _raw_cipher(key_text).decryptor()
    return decryptor.update(base64.b64decode(encrypt)) + decryptor.finalize()


def _raw_encrypt(key_text: str, plain: bytes) -> str:
    encryptor = _raw_cipher(key_text).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def _framed(message: bytes, app_id: str, length: int | None = None) -> bytes:
    """The plaintext WeChat encrypts, before padding (the length field may lie)."""
    size = len(message) if length is None else length
    return b"R" * 16 + struct.pack(">I", size) + message + app_id.encode()


def _padded(plain: bytes) -> bytes:
    pad = 32 - len(plain) % 32
    return plain + bytes([pad]) * pad


def test_vector_a_url_signature() -> None:
    assert signature(A_TOKEN, A_TIMESTAMP, A_NONCE) == A_SIGNATURE
    assert signature(A_TOKEN, A_NONCE, A_TIMESTAMP) == A_SIGNATURE
    assert signature_ok(A_SIGNATURE, A_TOKEN, A_TIMESTAMP, A_NONCE)


def test_vector_a_msg_signature(crypto_a: WeChatCrypto) -> None:
    assert signature(A_TOKEN, A_TIMESTAMP, A_NONCE, A_ENCRYPT) == A_MSG_SIGNATURE
    crypto_a.check_message(A_MSG_SIGNATURE, A_TIMESTAMP, A_NONCE, A_ENCRYPT)


def test_vector_a_decrypts_to_the_reference_message(crypto_a: WeChatCrypto) -> None:
    expected = REFERENCE.read_bytes()
    message = crypto_a.decrypt(A_ENCRYPT)
    assert len(message) == 280
    assert message == expected
    inbound = parse_message(message)
    assert (inbound.to_user, inbound.from_user) == ("gh_10f6c3c3ac5a",
                                                    "oyORnuP8q7ou2gfYjqLzSIWZf0rs")
    assert (inbound.msg_type, inbound.content) == ("text", "abcdteT")
    assert inbound.msg_id == "6054768590064713728"
    assert inbound.create_time == 1409735668


def test_vector_a_encrypts_byte_for_byte_with_the_same_random_prefix(
        crypto_a: WeChatCrypto) -> None:
    random16 = _raw_decrypt(A_KEY, A_ENCRYPT)[:16]
    assert crypto_a.encrypt(REFERENCE.read_bytes(), random16=random16) == A_ENCRYPT


def test_vector_b_echostr() -> None:
    crypto = WeChatCrypto(token=B_TOKEN, encoding_aes_key=B_KEY, app_id=B_ID)
    assert signature(B_TOKEN, B_TIMESTAMP, B_NONCE, B_ECHOSTR) == B_MSG_SIGNATURE
    crypto.check_message(B_MSG_SIGNATURE, B_TIMESTAMP, B_NONCE, B_ECHOSTR)
    assert crypto.decrypt(B_ECHOSTR) == b"5927782489442352469"


@pytest.mark.parametrize("given", [None, 123, b"16120ec1b8dbb870f510d87ce6bc2463eae6ca1a", "",
                                   A_SIGNATURE.upper(), A_SIGNATURE[:-1] + "b", "签名"])
def test_signature_ok_refuses_anything_else(given: object) -> None:
    assert not signature_ok(given, A_TOKEN, A_TIMESTAMP, A_NONCE)  # type: ignore[arg-type]


def test_signature_ok_refuses_a_missing_part() -> None:
    assert not signature_ok(A_SIGNATURE, A_TOKEN, A_TIMESTAMP, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [None, "", A_SIGNATURE, A_MSG_SIGNATURE[:-1] + "b"])
def test_check_message_raises_on_a_wrong_signature(crypto_a: WeChatCrypto, given: object) -> None:
    with pytest.raises(InvalidSignature):
        crypto_a.check_message(given, A_TIMESTAMP, A_NONCE, A_ENCRYPT)  # type: ignore[arg-type]


def test_check_message_covers_the_ciphertext(crypto_a: WeChatCrypto) -> None:
    tampered = ("i" if A_ENCRYPT[0] != "i" else "j") + A_ENCRYPT[1:]
    with pytest.raises(InvalidSignature):
        crypto_a.check_message(A_MSG_SIGNATURE, A_TIMESTAMP, A_NONCE, tampered)


@pytest.mark.parametrize("message", [
    b"", b"hello", "您好，请问订单 KF1 什么时候发货？".encode(), "🙂 émoji ]]> <xml/>".encode()])
def test_round_trip(crypto_a: WeChatCrypto, message: bytes) -> None:
    assert crypto_a.decrypt(crypto_a.encrypt(message)) == message


@pytest.mark.parametrize("length", range(0, 71))
def test_round_trip_and_padding_around_block_boundaries(crypto_a: WeChatCrypto,
                                                        length: int) -> None:
    message = bytes(range(65, 91))[:1] * length
    encrypted = crypto_a.encrypt(message)
    assert crypto_a.decrypt(encrypted) == message
    raw = _raw_decrypt(A_KEY, encrypted)
    unpadded = 16 + 4 + length + len(A_APP_ID)
    pad = 32 - unpadded % 32
    assert len(raw) % 32 == 0 and len(raw) == unpadded + pad
    assert raw[-pad:] == bytes([pad]) * pad
    assert raw[16:20] == struct.pack(">I", length)
    assert raw[20 + length:unpadded] == A_APP_ID.encode()


def test_aligned_plaintext_gets_a_full_block_of_padding(crypto_a: WeChatCrypto) -> None:
    length = 64 - 16 - 4 - len(A_APP_ID)
    raw = _raw_decrypt(A_KEY, crypto_a.encrypt(b"x" * length))
    assert len(raw) == 96
    assert raw[-32:] == bytes([32]) * 32


def test_the_random_prefix_is_fresh_each_time(crypto_a: WeChatCrypto) -> None:
    assert crypto_a.encrypt(b"same") != crypto_a.encrypt(b"same")
    assert crypto_a.encrypt(b"same", random16=b"0" * 16) == crypto_a.encrypt(
        b"same", random16=b"0" * 16)
    with pytest.raises(ValueError):
        crypto_a.encrypt(b"same", random16=b"short")


@pytest.mark.parametrize("encrypt", [
    "", "not base64!!", "aGVsbG8", "aGVsbG8=", base64.b64encode(b"x" * 33).decode(), "密文",
    A_ENCRYPT + "\n"])
def test_garbage_is_an_invalid_payload(crypto_a: WeChatCrypto, encrypt: str) -> None:
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(encrypt)


def test_a_tampered_last_block_is_an_invalid_payload(crypto_a: WeChatCrypto) -> None:
    data = bytearray(base64.b64decode(A_ENCRYPT))
    data[-17] ^= 0x01
    with pytest.raises(InvalidPayload, match="padding"):
        crypto_a.decrypt(base64.b64encode(bytes(data)).decode())


@pytest.mark.parametrize("padding", [b"\x00" * 32, bytes([33]) * 32, b"\x04" * 29 + b"\x05" * 3,
                                     b"\x01" * 31 + b"\x03"])
def test_bad_padding_is_an_invalid_payload(crypto_a: WeChatCrypto, padding: bytes) -> None:
    plain = _framed(b"<xml/>", A_APP_ID)
    plain += b"z" * (-len(plain) % 32)
    with pytest.raises(InvalidPayload, match="padding"):
        crypto_a.decrypt(_raw_encrypt(A_KEY, plain + padding))


def test_another_app_id_is_an_invalid_payload(crypto_a: WeChatCrypto) -> None:
    other = WeChatCrypto(token=A_TOKEN, encoding_aes_key=A_KEY, app_id="wx0000000000000000")
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(other.encrypt(b"<xml/>"))
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(_raw_encrypt(A_KEY, _padded(_framed(b"<xml/>", A_APP_ID[:-1]))))
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(_raw_encrypt(A_KEY, _padded(_framed(b"<xml/>", A_APP_ID + "x"))))


def test_another_key_is_an_invalid_payload(crypto_a: WeChatCrypto) -> None:
    other = WeChatCrypto(token=B_TOKEN, encoding_aes_key=B_KEY, app_id=A_APP_ID)
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(other.encrypt(b"<xml>hello</xml>"))


@pytest.mark.parametrize("length", [2 ** 32 - 1, len(b"<xml/>") + len(A_APP_ID) + 1, 10 ** 6])
def test_a_length_field_out_of_range_is_an_invalid_payload(crypto_a: WeChatCrypto,
                                                           length: int) -> None:
    plain = _padded(_framed(b"<xml/>", A_APP_ID, length=length))
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(_raw_encrypt(A_KEY, plain))


def test_too_short_for_the_header_is_an_invalid_payload(crypto_a: WeChatCrypto) -> None:
    with pytest.raises(InvalidPayload):
        crypto_a.decrypt(_raw_encrypt(A_KEY, b"R" * 16 + b"\x00\x00" + bytes([14]) * 14))


@pytest.mark.parametrize("key", [A_KEY[:-1], A_KEY + "H", A_KEY + "=", "", "!" + A_KEY[1:],
                                 "密" + A_KEY[1:]])
def test_a_key_of_the_wrong_shape_is_refused_by_name(key: str) -> None:
    with pytest.raises(ValueError, match="WECHAT_ENCODING_AES_KEY"):
        WeChatCrypto(token=A_TOKEN, encoding_aes_key=key, app_id=A_APP_ID)


def test_an_empty_token_or_app_id_is_refused() -> None:
    with pytest.raises(ValueError):
        WeChatCrypto(token="", encoding_aes_key=A_KEY, app_id=A_APP_ID)
    with pytest.raises(ValueError):
        WeChatCrypto(token=A_TOKEN, encoding_aes_key=A_KEY, app_id="")


def test_secrets_stay_out_of_the_repr(crypto_a: WeChatCrypto) -> None:
    assert A_KEY not in repr(crypto_a) and A_TOKEN not in repr(crypto_a)
    assert A_APP_ID in repr(crypto_a)
