"""The action server's configuration, read from environment variables in one place."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSettings:
    crm_url: str
    crm_service_token: str
    crm_timeout_seconds: float
    crm_retries: int

    @classmethod
    def from_env(cls) -> "ActionSettings":
        return cls(
            crm_url=os.environ.get("CRM_URL", "http://127.0.0.1:8000").rstrip("/"),
            crm_service_token=os.environ.get("CRM_SERVICE_TOKEN", "kefu-dev-service-token"),
            crm_timeout_seconds=float(os.environ.get("CRM_TIMEOUT_SECONDS", "5")),
            crm_retries=int(os.environ.get("CRM_RETRIES", "2")),
        )
