"""`make run`: prepare the CRM and the model, start the three processes, stop them on Ctrl-C."""

import signal
import subprocess
import sys
import time

from scripts.model import ensure_model, model_path, refresh_catalogue
from scripts.stack import PortInUse, Stack, StackConfig, StackFailed, Supervisor, crm_cli


def instructions(config: StackConfig, demo_token: str) -> str:
    webhook = f"{config.rasa_url}/webhooks/rest/webhook"
    demo = f"{config.crm_url}/demo/" if config.demo_mode else "（未开启：KEFU_DEMO_MODE=false）"
    return f"""
==================================================================
 Kefu 客服助手已启动
   演示商店（网页客服小部件）  {demo}
   小部件脚本  {config.crm_url}/widget/kefu-widget.js
   客服工作台  {config.crm_url}/staff/   (演示账号 xiaomei / chenjl，密码 kefu-demo)
   Rasa 服务器  {config.rasa_url}   (REST: {webhook}，socket.io: {config.rasa_url}/socket.io/)
   微信公众号   {config.rasa_url}/webhooks/wechat/webhook
   动作服务器   {config.actions_url}
   CRM 后端     {config.crm_url}     (API 令牌: CRM_SERVICE_TOKEN)
   Rasa HTTP API 令牌（本次运行）: {config.rasa_api_token}

 在终端里聊天（以演示客户 1 的身份登录）:
   .venv/bin/python -m scripts.chat --customer 1
 或者匿名聊天（查单时会核验订单号和手机尾号）:
   .venv/bin/python -m scripts.chat

 模拟微信公众号发消息（无需公众号，见 docs/wechat.md）:
   .venv/bin/python -m scripts.wechat_sim "我的快递到哪了"

 用 curl 发一条消息:
   curl -s {webhook} -H 'Content-Type: application/json' \\
     -d '{{"sender":"demo","message":"我的快递到哪了","metadata":{{"customer_token":"{demo_token}"}}}}'

 演示客户和订单号见 docs/demo-data.md。按 Ctrl-C 停止全部服务。
==================================================================
"""


def _interrupt(*_: object) -> None:
    """Ctrl-C and SIGTERM both stop the stack, even when SIGINT was ignored at start-up."""
    raise KeyboardInterrupt


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        return _prepare_and_serve()
    except KeyboardInterrupt:
        print("\n==> 已取消。")
        return 130
    except subprocess.CalledProcessError as error:
        print(f"模型训练失败（退出码 {error.returncode}），请查看上面的 Rasa 输出。", file=sys.stderr)
        return 1
    except StackFailed as error:
        print(error, file=sys.stderr)
        return 1


def _prepare_and_serve() -> int:
    config = StackConfig.from_env(model_path())
    stack = Stack(config)
    try:
        stack.check_ports()
    except PortInUse as error:
        print(error, file=sys.stderr)
        return 2
    refresh_catalogue()
    config = StackConfig.from_env(ensure_model())
    stack = Stack(config)
    print("==> 迁移并初始化 CRM 数据库 …")
    crm_cli(config, "migrate")
    crm_cli(config, "seed")

    try:
        stack.start()
        print(instructions(config, crm_cli(config, "token", "1").strip()))
        supervisor = Supervisor(stack)
        while True:
            time.sleep(1)
            supervisor.check()
    except KeyboardInterrupt:
        pass
    except (PortInUse, StackFailed) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        print("\n==> 正在停止全部服务 …")
        stack.stop()
        print("==> 已停止。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
