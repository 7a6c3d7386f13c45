"""The staff API as a script uses it (session cookie + CSRF header), and the CRM's handoffs of a
conversation, for the console's end-to-end tests."""

import json
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from typing import Any, Dict, List, Tuple

from tests.e2e.conftest import RunningStack

# The demo seed's staff password.
PASSWORD = "kefu-demo"


def handoffs_of(stack: RunningStack, conversation: str) -> List[Dict[str, Any]]:
    found = []
    for status in ("waiting", "assigned", "closed"):
        found += [h for h in stack.crm(f"/api/handoffs?status={status}&limit=200")["handoffs"]
                  if h["conversation_id"] == conversation]
    return found


class _Stay(urllib.request.HTTPRedirectHandler):
    """Redirects are answers here (a page sends a stranger to the login page)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _parsed(raw: bytes) -> Dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {"page": raw.decode(errors="replace")}
    return body if isinstance(body, dict) else {"body": body}


class StaffClient:
    """The staff API as a script uses it: a session cookie and the CSRF header."""

    def __init__(self, stack: RunningStack) -> None:
        self.base = stack.config.crm_url
        jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.strict = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _Stay)
        self.csrf = ""

    def log_in(self, username: str) -> "StaffClient":
        with self.opener.open(f"{self.base}/staff/login") as page:
            html = page.read().decode()
        token = html.split('name="csrf_token" value="')[1].split('"')[0]
        body = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                       "password": PASSWORD, "next": "/staff/"}).encode()
        with self.opener.open(f"{self.base}/staff/login", data=body) as home:
            html = home.read().decode()
        self.csrf = html.split('name="csrf-token" content="')[1].split('"')[0]
        return self

    def call(self, method: str, path: str, body: Any = None,
             csrf: bool = True) -> Tuple[int, Dict[str, Any]]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        request = urllib.request.Request(f"{self.base}{path}", method=method, headers=headers,
                                         data=None if body is None else json.dumps(body).encode())
        try:
            with self.strict.open(request, timeout=30) as response:
                return response.status, _parsed(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _parsed(error.read())
