"""A terminal chat with the running assistant over the REST channel (like `rasa shell`)."""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Optional

from scripts.model import model_path
from scripts.stack import StackConfig, crm_cli


def send(url: str, sender: str, text: str, token: Optional[str]) -> List[Dict[str, Any]]:
    body: Dict[str, Any] = {"sender": sender, "message": text}
    if token:
        body["metadata"] = {"customer_token": token}
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as refused:
        # The channel refuses some messages (too long, malformed) with a sentence to show.
        try:
            return json.loads(refused.read())
        except ValueError:
            raise refused from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customer", type=int, help="chat as this demo customer (signed token)")
    parser.add_argument("--token", help="a customer token from `python -m crm_backend token ID`")
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{os.environ.get('KEFU_RASA_PORT', '5005')}/webhooks/rest/webhook",
    )
    args = parser.parse_args()
    token = args.token
    if args.customer is not None:
        token = crm_cli(StackConfig.from_env(model_path()), "token", str(args.customer)).strip()
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    print("和小福聊天吧（输入 /exit 退出；有按钮时可输入编号）")
    buttons: List[Dict[str, str]] = []
    while True:
        try:
            text = input("您：").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text == "/exit":
            return 0
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        if not text:
            continue
        try:
            replies = send(args.url, sender, text, token)
        except (urllib.error.URLError, OSError) as error:
            print(f"连接不上助手（{args.url}）：{error}。请先运行 make run。", file=sys.stderr)
            return 1
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"小福：{reply['text']}")
            for button in reply.get("buttons") or []:
                buttons.append(button)
                print(f"  [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    sys.exit(main())
