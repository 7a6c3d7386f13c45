"""WeChat message XML: parsing what WeChat sends (safely) and building passive replies."""

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from bot.channels.wechat.messages import (
    Inbound, MalformedMessage, cdata, encrypted_reply, parse_envelope, parse_message, text_reply)

REFERENCE = Path("/work/shared/reference/wechat-vector-a-plaintext.xml")


def _body(msg_type: str, extra: str, create_time: str = "1700000000") -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
            f"<FromUserName><![CDATA[oUser123]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
            f"{extra}</xml>").encode("utf-8")


def test_vector_a_plaintext() -> None:
    inbound = parse_message(REFERENCE.read_bytes())
    assert inbound == Inbound(
        to_user="gh_10f6c3c3ac5a", from_user="oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        create_time=1409735668, msg_type="text", msg_id="6054768590064713728",
        content="abcdteT", event=None, event_key=None, recognition=None, media_id=None)
    assert inbound.dedupe_key == "msg:6054768590064713728"


def test_text_keeps_the_content_as_sent() -> None:
    inbound = parse_message(_body(
        "text", "<Content><![CDATA[  我的订单\n到哪了？ ]]></Content><MsgId>1234567890123456</MsgId>"))
    assert inbound.content == "  我的订单\n到哪了？ "
    assert inbound.msg_id == "1234567890123456"
    assert inbound.event is None and inbound.media_id is None


def test_image() -> None:
    inbound = parse_message(_body(
        "image", "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl>"
                 "<MediaId><![CDATA[media_img_1]]></MediaId><MsgId>42</MsgId>"))
    assert (inbound.msg_type, inbound.media_id, inbound.content) == ("image", "media_img_1", None)
    assert inbound.dedupe_key == "msg:42"


def test_voice_with_and_without_recognition() -> None:
    heard = parse_message(_body(
        "voice", "<MediaId><![CDATA[media_v]]></MediaId><Format><![CDATA[amr]]></Format>"
                 "<Recognition><![CDATA[查一下物流]]></Recognition><MsgId>43</MsgId>"))
    assert (heard.msg_type, heard.media_id, heard.recognition) == ("voice", "media_v", "查一下物流")
    for recognition in ("<Recognition><![CDATA[]]></Recognition>", "<Recognition/>", ""):
        silent = parse_message(_body(
            "voice", f"<MediaId><![CDATA[media_v]]></MediaId>{recognition}<MsgId>44</MsgId>"))
        assert silent.recognition is None


def test_subscribe_and_unsubscribe_events_dedupe_on_sender_and_time() -> None:
    subscribe = parse_message(_body(
        "event", "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_7]]></EventKey>"))
    assert (subscribe.msg_type, subscribe.event, subscribe.event_key) == (
        "event", "subscribe", "qrscene_7")
    assert subscribe.msg_id is None
    assert subscribe.dedupe_key == "event:oUser123:1700000000:subscribe:qrscene_7"
    unsubscribe = parse_message(_body(
        "event", "<Event><![CDATA[unsubscribe]]></Event><EventKey><![CDATA[]]></EventKey>"))
    assert (unsubscribe.event, unsubscribe.event_key) == ("unsubscribe", None)
    assert unsubscribe.dedupe_key == "event:oUser123:1700000000:unsubscribe:"


def test_menu_click_carries_its_event_key() -> None:
    click = parse_message(_body(
        "event", "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[MENU_ORDERS]]></EventKey>",
        create_time="1700000001"))
    assert (click.event, click.event_key, click.create_time) == ("CLICK", "MENU_ORDERS", 1700000001)
    assert click.dedupe_key == "event:oUser123:1700000001:CLICK:MENU_ORDERS"


def test_plain_xml_text_without_cdata_and_an_xml_declaration() -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?><xml><ToUserName>gh_x</ToUserName>'
            "<FromUserName> oA </FromUserName><CreateTime> 5 </CreateTime><MsgType>text</MsgType>"
            "<Content>a &amp; b &lt;c&gt;</Content></xml>").encode()
    inbound = parse_message(body)
    assert (inbound.to_user, inbound.from_user, inbound.create_time) == ("gh_x", "oA", 5)
    assert inbound.content == "a & b <c>"


def test_envelope() -> None:
    body = (b"<xml><ToUserName><![CDATA[gh_x]]></ToUserName>"
            b"<Encrypt><![CDATA[abc+/=]]></Encrypt></xml>")
    assert parse_envelope(body) == ("abc+/=", "gh_x")
    assert parse_envelope(b"<xml><Encrypt>abc=</Encrypt></xml>") == ("abc=", None)
    for bad in (b"<xml><ToUserName>gh_x</ToUserName></xml>", b"<xml><Encrypt></Encrypt></xml>",
                b"garbage"):
        with pytest.raises(MalformedMessage):
            parse_envelope(bad)


XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       b"<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName>"
       b"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&e;</Content></xml>")
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
               .encode() for n in range(1, 10))
    + b"]><xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName>"
      b"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content></xml>")
INTERNAL_ENTITY = (b'<!DOCTYPE xml [<!ENTITY n "gh">]><xml><ToUserName>&n;</ToUserName>'
                   b"<FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
                   b"<MsgType>text</MsgType></xml>")
GOOD_FIELDS = ("<ToUserName>gh</ToUserName><FromUserName>u</FromUserName>"
               "<CreateTime>1</CreateTime><MsgType>text</MsgType>")


@pytest.mark.parametrize("body", [
    XXE, BILLION_LAUGHS, INTERNAL_ENTITY, b"", b"garbage", b"{\"ToUserName\": \"gh\"}",
    b"<xml><ToUserName>gh</ToUserName>", "<xml>é</xml>".encode("latin-1"),
    b'<?xml version="1.0" encoding="no-such-encoding"?><xml/>',
    f"<message>{GOOD_FIELDS}</message>".encode(),
    _body("text", "").replace(b"<FromUserName><![CDATA[oUser123]]></FromUserName>", b""),
    _body("text", "").replace(b"oUser123", b""),
    _body("text", "").replace(b"<MsgType><![CDATA[text]]></MsgType>", b""),
    _body("text", "", create_time=""), _body("text", "", create_time="soon"),
    _body("text", "", create_time="1.5"), _body("text", "", create_time="-1"),
    _body("text", "", create_time="1_000"), _body("text", "", create_time="١٢"),
    _body("text", "", create_time="9" * 30),
], ids=["xxe", "billion-laughs", "internal-entity", "empty", "garbage", "json", "unclosed",
        "latin1", "unknown-encoding", "wrong-root", "no-from-user", "empty-from-user",
        "no-msg-type", "empty-time", "word-time", "float-time", "negative-time",
        "underscore-time", "arabic-digits-time", "huge-time"])
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_message(body)


def test_dtds_are_refused_before_any_entity_is_read() -> None:
    for body in (XXE, BILLION_LAUGHS, INTERNAL_ENTITY):
        with pytest.raises(MalformedMessage, match="DTDForbidden"):
            parse_message(body)
        with pytest.raises(MalformedMessage, match="DTDForbidden"):
            parse_envelope(body)


def test_cdata_splits_every_terminator() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    assert cdata("") == "<![CDATA[]]>"
    assert cdata("]]>]]>") == "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>"


@pytest.mark.parametrize("content", [
    "您好！订单已发货。", "a]]>b", "]]>", "]]>]]>x]]", "x]]", "]]]>>", "<xml>&amp;</xml>",
    "第一行\n第二行\n\n第四行", "  spaced  ", "🙂🎉", ""])
def test_text_reply_round_trips(content: str) -> None:
    reply = text_reply("oUser123", "gh_10f6c3c3ac5a", 1700000002, content)
    root = fromstring(reply.encode("utf-8"), forbid_dtd=True)
    assert [child.tag for child in root] == [
        "ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
    assert (root.findtext("Content") or "") == content
    assert root.findtext("ToUserName") == "oUser123"
    assert root.findtext("FromUserName") == "gh_10f6c3c3ac5a"
    assert root.findtext("MsgType") == "text"
    assert root.findtext("CreateTime") == "1700000002"


def test_text_reply_has_the_reference_shape() -> None:
    assert text_reply("OPENID", "gh_x", 12, "hi") == (
        "<xml><ToUserName><![CDATA[OPENID]]></ToUserName><FromUserName><![CDATA[gh_x]]>"
        "</FromUserName><CreateTime>12</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[hi]]></Content></xml>")


def test_characters_xml_forbids_are_dropped_so_the_reply_stays_valid() -> None:
    reply = text_reply("oUser123", "gh_x", 1, "a\x00b\x08c\x1fd\tе\n")
    assert fromstring(reply.encode("utf-8"), forbid_dtd=True).findtext("Content") == "abcd\tе\n"


def test_a_reply_parses_as_a_message() -> None:
    inbound = parse_message(text_reply("oUser123", "gh_x", 7, "好的").encode("utf-8"))
    assert (inbound.to_user, inbound.from_user, inbound.create_time, inbound.content) == (
        "oUser123", "gh_x", 7, "好的")


def test_create_time_must_be_an_integer() -> None:
    for bad in (-1, "7; <x>", 1.5):
        with pytest.raises(ValueError):
            text_reply("o", "gh", bad, "x")  # type: ignore[arg-type]


def test_encrypted_reply() -> None:
    reply = encrypted_reply("ZW5j+/==", "abc123", "1409735669", "nonce]]>1")
    assert reply == (
        "<xml><Encrypt><![CDATA[ZW5j+/==]]></Encrypt><MsgSignature><![CDATA[abc123]]>"
        "</MsgSignature><TimeStamp>1409735669</TimeStamp>"
        "<Nonce><![CDATA[nonce]]]]><![CDATA[>1]]></Nonce></xml>")
    root = fromstring(reply.encode("utf-8"), forbid_dtd=True)
    assert (root.findtext("Encrypt"), root.findtext("MsgSignature"), root.findtext("TimeStamp"),
            root.findtext("Nonce")) == ("ZW5j+/==", "abc123", "1409735669", "nonce]]>1")
    assert parse_envelope(reply.encode("utf-8")) == ("ZW5j+/==", None)
    with pytest.raises(ValueError):
        encrypted_reply("ZW5j", "abc", "</TimeStamp>", "n")


def test_a_long_event_key_still_fits_the_crm() -> None:
    click = parse_message(_body(
        "event", f"<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[{'K' * 200}]]></EventKey>"))
    other = parse_message(_body(
        "event", f"<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[{'K' * 199}]]></EventKey>"))
    assert len(click.dedupe_key) <= 160 and click.dedupe_key != other.dedupe_key
