"""Play WeChat's server against the running channel, for a developer without an Official Account:

    .venv/bin/python -m scripts.wechat_sim "我的快递到哪了"            # plaintext mode
    .venv/bin/python -m scripts.wechat_sim --safe "KF202611280009"     # safe (AES) mode
    .venv/bin/python -m scripts.wechat_sim --event subscribe

It signs (and with --safe encrypts) a message from one OpenID, posts it to
/webhooks/wechat/webhook, prints the passive reply, and serves the fake WeChat API on the port of
WECHAT_API_BASE meanwhile (make run points the channel there in demo mode), printing the
customer-service messages the channel sent through it.
"""

import argparse
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Optional, Tuple

from bot.channels.wechat import crypto, messages
from scripts.fake_wechat import FakeWeChatServer
from scripts.stack import WECHAT_DEV

ACCOUNT_ID = "gh_kefu_demo"


@dataclass(frozen=True)
class Account:
    """The Official Account's secrets, as configured for the channel."""

    token: str
    encoding_aes_key: str
    app_id: str

    def crypto(self) -> crypto.WeChatCrypto:
        return crypto.WeChatCrypto(self.token, self.encoding_aes_key, self.app_id)


def text_xml(open_id: str, content: str, msg_id: int, create_time: Optional[int] = None) -> bytes:
    """A customer's text message as WeChat posts it."""
    return (f"<xml><ToUserName>{messages.cdata(ACCOUNT_ID)}</ToUserName>"
            f"<FromUserName>{messages.cdata(open_id)}</FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content>{messages.cdata(content)}</Content>"
            f"<MsgId>{msg_id}</MsgId></xml>").encode("utf-8")


def event_xml(open_id: str, event: str, event_key: str = "",
              create_time: Optional[int] = None) -> bytes:
    """An event (subscribe, unsubscribe, CLICK …) as WeChat posts it."""
    return (f"<xml><ToUserName>{messages.cdata(ACCOUNT_ID)}</ToUserName>"
            f"<FromUserName>{messages.cdata(open_id)}</FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event>{messages.cdata(event)}</Event>"
            f"<EventKey>{messages.cdata(event_key)}</EventKey></xml>").encode("utf-8")


def media_xml(open_id: str, kind: str, msg_id: int) -> bytes:
    """An image, voice or video message without text."""
    return (f"<xml><ToUserName>{messages.cdata(ACCOUNT_ID)}</ToUserName>"
            f"<FromUserName>{messages.cdata(open_id)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{messages.cdata(kind)}</MsgType>"
            f"<MediaId><![CDATA[media-1]]></MediaId><MsgId>{msg_id}</MsgId></xml>").encode()


def post(webhook: str, account: Account, xml: bytes, safe: bool = False,
         signature: Optional[str] = None, timeout: float = 30) -> Tuple[int, str]:
    """POST the message as WeChat does; (HTTP status, the reply's Content, or the raw body when
    it is `success` or an error)."""
    timestamp, nonce = str(int(time.time())), str(random.randint(10**8, 10**9))
    query = {"timestamp": timestamp, "nonce": nonce, "openid": "sim",
             "signature": signature or crypto.signature(account.token, timestamp, nonce)}
    body = xml
    if safe:
        encrypt = account.crypto().encrypt(xml)
        query.update(encrypt_type="aes",
                     msg_signature=crypto.signature(account.token, timestamp, nonce, encrypt))
        body = (f"<xml><ToUserName>{messages.cdata(ACCOUNT_ID)}</ToUserName>"
                f"<Encrypt>{messages.cdata(encrypt)}</Encrypt></xml>").encode()
    request = urllib.request.Request(f"{webhook}?{urllib.parse.urlencode(query)}", data=body,
                                     headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    if raw in (b"", b"success"):
        return status, raw.decode()
    if safe:
        encrypt, _ = messages.parse_envelope(raw)
        account.crypto().check_message(messages.parse_reply_signature(raw), timestamp, nonce,
                                       encrypt)
        raw = account.crypto().decrypt(encrypt)
    return status, messages.parse_message(raw).content or ""


def main() -> int:
    parser = argparse.ArgumentParser(description="Play WeChat's server against the running channel.")
    parser.add_argument("text", nargs="?", default="你好")
    parser.add_argument("--openid", default="o-sim-developer")
    parser.add_argument("--safe", action="store_true", help="safe mode: encrypt with the AES key")
    parser.add_argument("--event", help="send an event instead (subscribe, unsubscribe, CLICK)")
    parser.add_argument("--key", default="", help="EventKey of a CLICK event (docs/wechat.md)")
    parser.add_argument("--wait", type=float, default=8, help="seconds to wait for API messages")
    args = parser.parse_args()
    env = os.environ
    account = Account(env.get("WECHAT_TOKEN", WECHAT_DEV["WECHAT_TOKEN"]),
                      env.get("WECHAT_ENCODING_AES_KEY", WECHAT_DEV["WECHAT_ENCODING_AES_KEY"]),
                      env.get("WECHAT_APP_ID", WECHAT_DEV["WECHAT_APP_ID"]))
    rasa = env.get("KEFU_RASA_URL", f"http://127.0.0.1:{env.get('KEFU_RASA_PORT', '5005')}")
    api_base = env.get("WECHAT_API_BASE", WECHAT_DEV["WECHAT_API_BASE"])
    fake = FakeWeChatServer(int(urllib.parse.urlsplit(api_base).port or 80))
    try:
        fake.start()
    except OSError as error:
        print(f"无法在 {api_base} 启动模拟的微信接口（{error}），客服消息将看不到。", file=sys.stderr)
        fake = None
    xml = (event_xml(args.openid, args.event, args.key) if args.event
           else text_xml(args.openid, args.text, random.randint(10**17, 10**18)))
    try:
        status, reply = post(f"{rasa}/webhooks/wechat/webhook", account, xml, safe=args.safe)
    except (urllib.error.URLError, OSError) as error:
        print(f"连不上 {rasa}：请先运行 make run（{error}）", file=sys.stderr)
        return 1
    print(f"HTTP {status}  被动回复：\n{reply}\n")
    if fake is not None:
        time.sleep(args.wait)
        for text in fake.state.texts_to(args.openid):
            print(f"客服消息：\n{text}\n")
        fake.stop()
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
