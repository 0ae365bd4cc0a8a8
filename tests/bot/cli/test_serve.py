"""``cosbot serve`` without an app id only listens on loopback: the real command, as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

COSBOT = Path(sys.executable).with_name("cosbot")
REPO = Path(__file__).resolve().parents[3]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def listening(port: int) -> bool:
    """Whether anything accepts connections on this port, over IPv4 or IPv6 loopback."""
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            try:
                sock.connect((host, port))
            except OSError:
                continue
            return True
    return False


def unauthenticated_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    # Empty values win over any .env file (the command also runs in tmp_path, where there is none).
    env.update(
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        MicrosoftAppTenantId="",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/cosbot.db",
        PYTHONUNBUFFERED="1",
        # The command runs in tmp_path (so no .env is read); make sure it imports this checkout.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_serve_refuses_a_network_address_without_an_app_id(tmp_path: Path, host: str) -> None:
    assert COSBOT.is_file(), f"{COSBOT} is missing; install the project into the venv (pip install -e .)"
    port = free_port()
    try:
        result = subprocess.run(
            [str(COSBOT), "serve", "--host", host, "--port", str(port)],
            cwd=tmp_path,
            env=unauthenticated_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"cosbot serve --host {host} kept running without an app id: {timeout.stderr!r}")
    assert result.returncode != 0
    assert "loopback" in result.stderr and host in result.stderr, result.stderr
    assert "MicrosoftAppId" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    assert not listening(port)
    assert not (tmp_path / "cosbot.db").exists(), "the database was touched before refusing"


def test_serve_does_listen_on_loopback_without_an_app_id(tmp_path: Path) -> None:
    """The control for the test above: the same command on 127.0.0.1 does serve."""
    assert COSBOT.is_file(), f"{COSBOT} is missing; install the project into the venv (pip install -e .)"
    port = free_port()
    log = tmp_path / "serve.log"
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            [str(COSBOT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=unauthenticated_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        ) as process,
    ):
        try:
            deadline = time.monotonic() + 60
            status = None
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    with NO_PROXY.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                        status = response.status
                        break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.2)
            assert process.poll() is None, f"cosbot serve exited: {log.read_text()}"
            assert status == 200, log.read_text()
            assert listening(port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
