"""The scale-out configuration on loopback: CRM and Rasa's trackers in PostgreSQL databases of
their own, lock store and socket.io rooms in Redis under a prefix of their own, two action
servers and two Rasa servers behind nginx."""

import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

import pytest
import redis

from scripts.model import ensure_model
from scripts.scaleout import ScaleOut, ScaleOutStack
from scripts.stack import StackConfig, crm_cli
from tests.crm.databases import create_pg_database, drop_pg_database
from tests.scaleout.services import (REDIS_HOST, REDIS_PORT, require_nginx, require_postgres,
                                     require_redis)


@dataclass
class ScaleOutRun:
    scale_out: ScaleOut
    processes: ScaleOutStack

    @property
    def config(self) -> StackConfig:
        return self.scale_out.config

    def crm(self, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.config.crm_url}{path}",
            headers={"Authorization": f"Bearer {self.config.service_token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def transcript(self, sender: str) -> List[Dict[str, Any]]:
        """The CRM's transcript of record of the conversation."""
        return self.crm(f"/api/conversations/{sender}/messages")["messages"]

    def tracker(self, sender: str, rasa_url: Optional[str] = None) -> Dict[str, Any]:
        """The conversation's tracker through Rasa's HTTP API (the proxy unless `rasa_url`)."""
        url = (f"{rasa_url or self.config.rasa_url}/conversations/{sender}/tracker"
               f"?token={self.config.rasa_api_token}")
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def say(self, rasa_url: str, sender: str, text: str,
            metadata: Optional[dict] = None) -> List[Dict[str, Any]]:
        """One message through the REST channel of `rasa_url`; the bot's replies."""
        body: Dict[str, Any] = {"sender": sender, "message": text,
                                **({"metadata": metadata} if metadata else {})}
        request = urllib.request.Request(f"{rasa_url}/webhooks/rest/webhook",
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def token(self, customer_id: int) -> str:
        return crm_cli(self.config, "token", str(customer_id)).strip()


@pytest.fixture(scope="module")
def scale_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleOutRun]:
    """One scale-out stack for a test module; its databases and Redis keys go afterwards."""
    require_postgres()
    require_redis()
    require_nginx()
    work_dir = tmp_path_factory.mktemp("scaleout")
    crm_name, crm_url = create_pg_database()
    tracker_name, _ = create_pg_database()
    try:
        base = StackConfig.for_tests(work_dir, ensure_model(), crm_url)
        scale_out = ScaleOut.for_tests(
            base, f"postgresql://postgres@127.0.0.1:5432/{tracker_name}")
        crm_cli(scale_out.config, "migrate")
        crm_cli(scale_out.config, "seed")
        stack = ScaleOutStack(scale_out)
        try:
            stack.start(progress=lambda message: None)
            yield ScaleOutRun(scale_out, stack)
        finally:
            stack.stop()
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
            for key in client.scan_iter(f"{scale_out.config.redis_prefix}:*"):
                client.delete(key)
            shutil.rmtree(scale_out.run_dir, ignore_errors=True)
    finally:
        drop_pg_database(crm_name)
        drop_pg_database(tracker_name)


def reply_text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)



def post_json(url: str, body: Any) -> int:
    """POST `body` as JSON; the HTTP status."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
