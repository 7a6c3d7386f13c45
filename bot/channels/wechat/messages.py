"""WeChat message XML: the customer's message parsed safely (defusedxml, no DTDs) and the
passive replies built, plain or encrypted."""

import re
from dataclasses import dataclass
from hashlib import sha1
from typing import Optional
from xml.etree.ElementTree import Element, ParseError

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import fromstring

_DIGITS = re.compile(r"[0-9]{1,19}")
# Characters XML 1.0 does not allow anywhere, not even in CDATA.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The CRM keeps dedupe keys of at most this many characters.
MAX_KEY_CHARS = 160


class MalformedMessage(Exception):
    """A body that is not a well-formed, DTD-free WeChat message with its required fields."""


@dataclass(frozen=True)
class Inbound:
    """One message or event from a customer; optional fields absent or empty are None."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: Optional[str]
    content: Optional[str]
    event: Optional[str]
    event_key: Optional[str]
    recognition: Optional[str]
    media_id: Optional[str]

    @property
    def dedupe_key(self) -> str:
        """What WeChat's retries of this message share: the MsgId; for an event its sender and
        time, with the event and key so two events of one second (follow, then a menu tap) stay
        two."""
        if self.msg_id:
            return f"msg:{self.msg_id}"[:MAX_KEY_CHARS]
        key = f"event:{self.from_user}:{self.create_time}:{self.event or ''}:{self.event_key or ''}"
        return key if len(key) <= MAX_KEY_CHARS else "event:" + sha1(key.encode()).hexdigest()


def _root(body: bytes) -> Element:
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    # DTDs and entities (DefusedXmlException), bad XML (ParseError), odd encodings (the rest).
    except (ParseError, DefusedXmlException, LookupError, ValueError) as error:
        raise MalformedMessage(f"not a safe XML body: {type(error).__name__}") from None
    if root.tag != "xml":
        raise MalformedMessage(f"the root element is <{root.tag[:40]}>, not <xml>")
    return root


def _text(root: Element, name: str) -> Optional[str]:
    """A child's text as sent, None when the child is absent or empty."""
    child = root.find(name)
    if child is None or not child.text:
        return None
    return child.text


def _word(root: Element, name: str) -> Optional[str]:
    """A child's text without surrounding whitespace, None when absent or blank."""
    text = _text(root, name)
    if text is None:
        return None
    return text.strip() or None


def _required(root: Element, name: str) -> str:
    value = _word(root, name)
    if value is None:
        raise MalformedMessage(f"missing {name}")
    return value


def parse_message(body: bytes) -> Inbound:
    """The message of a plaintext body (or of a decrypted Encrypt); MalformedMessage if unsafe,
    not XML, or without ToUserName, FromUserName, an integer CreateTime or MsgType."""
    root = _root(body)
    create_time = _required(root, "CreateTime")
    if not _DIGITS.fullmatch(create_time):
        raise MalformedMessage("CreateTime is not an integer")
    return Inbound(
        to_user=_required(root, "ToUserName"),
        from_user=_required(root, "FromUserName"),
        create_time=int(create_time),
        msg_type=_required(root, "MsgType"),
        msg_id=_word(root, "MsgId"),
        content=_text(root, "Content"),
        event=_word(root, "Event"),
        event_key=_word(root, "EventKey"),
        recognition=_text(root, "Recognition"),
        media_id=_word(root, "MediaId"),
    )


def parse_envelope(body: bytes) -> tuple[str, Optional[str]]:
    """(Encrypt, ToUserName) of a safe-mode body; MalformedMessage when there is no Encrypt."""
    root = _root(body)
    return _required(root, "Encrypt"), _word(root, "ToUserName")


def parse_reply_signature(body: bytes) -> Optional[str]:
    """The MsgSignature of an encrypted passive reply (what WeChat checks; the simulator too)."""
    return _word(_root(body), "MsgSignature")


def cdata(text: str) -> str:
    """`text` as CDATA, every `]]>` split across two sections; characters XML forbids dropped."""
    clean = _NOT_XML.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _integer(value: int | str, name: str) -> str:
    text = str(value)
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return text


def text_reply(to_user: str, from_user: str, create_time: int, content: str) -> str:
    """The passive text reply: `to_user` is the customer's OpenID, `from_user` the account."""
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
            f"<FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{_integer(create_time, 'create_time')}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content>{cdata(content)}</Content></xml>")


def encrypted_reply(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode envelope of a reply; msg_signature must sign this timestamp and nonce."""
    return (f"<xml><Encrypt>{cdata(encrypt)}</Encrypt>"
            f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
            f"<TimeStamp>{_integer(timestamp, 'timestamp')}</TimeStamp>"
            f"<Nonce>{cdata(nonce)}</Nonce></xml>")
