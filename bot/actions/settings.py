"""The action server's configuration, read from environment variables in one place."""

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from crm_backend.core.config import DEFAULT_SERVICE_TOKEN as DEFAULT_CRM_SERVICE_TOKEN
from crm_backend.core.config import MIN_SECRET_LENGTH as MIN_SECRET_CHARS


class InsecureSetting(ValueError):
    """A secret is missing, a known default or too short outside demo mode."""


def _flag(raw: Optional[str]) -> bool:
    return (raw or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ActionSettings:
    crm_url: str
    crm_service_token: str
    crm_timeout_seconds: float
    crm_retries: int
    host: str = "127.0.0.1"
    port: int = 5055
    action_token: str = ""
    demo_mode: bool = False
    listen_fd: Optional[int] = None

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ActionSettings":
        env = os.environ if environ is None else environ
        return cls(
            crm_url=env.get("CRM_URL", "http://127.0.0.1:8000").rstrip("/"),
            crm_service_token=env.get("CRM_SERVICE_TOKEN", DEFAULT_CRM_SERVICE_TOKEN),
            crm_timeout_seconds=float(env.get("CRM_TIMEOUT_SECONDS", "5")),
            crm_retries=int(env.get("CRM_RETRIES", "2")),
            host=env.get("KEFU_ACTIONS_HOST", "127.0.0.1"),
            port=int(env.get("KEFU_ACTIONS_PORT", "5055")),
            action_token=env.get("KEFU_ACTION_TOKEN", ""),
            demo_mode=_flag(env.get("KEFU_DEMO_MODE")),
            listen_fd=int(env["KEFU_LISTEN_FD"]) if env.get("KEFU_LISTEN_FD") else None,
        )

    def check_secrets(self) -> None:
        """Raise InsecureSetting for a missing secret, or a weak one outside demo mode."""
        if not self.action_token:
            raise InsecureSetting("KEFU_ACTION_TOKEN 未设置：Rasa 与动作服务器之间需要共享密钥")
        if self.demo_mode:
            return
        if len(self.action_token) < MIN_SECRET_CHARS:
            raise InsecureSetting(f"KEFU_ACTION_TOKEN 太短（至少 {MIN_SECRET_CHARS} 个字符）")
        if (self.crm_service_token == DEFAULT_CRM_SERVICE_TOKEN
                or len(self.crm_service_token) < MIN_SECRET_CHARS):
            raise InsecureSetting("CRM_SERVICE_TOKEN 是演示默认值或太短；非演示模式下请设置强随机密钥")
