"""`make run` with a port already taken names the port and the variable that changes it."""

import socket
import subprocess

from scripts.stack import REPO, VENV_BIN, base_env


def test_taken_port_is_named_with_how_to_change_it():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = base_env()
        env["KEFU_CRM_PORT"] = str(port)
        result = subprocess.run(
            [str(VENV_BIN / "python"), "-m", "scripts.run"], cwd=REPO, env=env,
            capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 2
    assert f"端口 {port} 已被占用" in result.stderr
    assert "KEFU_CRM_PORT=<端口> make run" in result.stderr
