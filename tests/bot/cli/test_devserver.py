"""`make run`'s supervisor: Ctrl-C stops the bot and the Playground, and exits with 0 (not npx's 254)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.pg_server import free_port

#: Exits with 254 on Ctrl-C, as npx does when the Playground is interrupted.
PLAYGROUND = (
    "import signal, sys, time; signal.signal(signal.SIGINT, lambda *a: sys.exit(254)); "
    "print('playground listening', flush=True); time.sleep(60)"
)


def fake_bot(folder: Path, port: int) -> list[str]:
    """A stand-in for `cosbot serve`: answers /healthz on ``port`` until it is stopped."""
    (folder / "healthz").write_text("ok")
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)]


def test_ctrl_c_stops_both_with_exit_code_0(tmp_path: Path) -> None:
    port = free_port()
    bot = fake_bot(tmp_path, port)
    script = (
        "import os, sys; from bot.cli.devserver import supervise; "
        f"sys.exit(supervise({bot!r}, [sys.executable, '-c', {PLAYGROUND!r}], "
        f"'http://127.0.0.1:{port}/healthz', dict(os.environ)))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=1,
        text=True,
        start_new_session=True,  # its own process group, as the terminal's is for `make run`
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    ) as supervisor:
        try:
            assert supervisor.stdout is not None
            while (line := supervisor.stdout.readline()) and line.strip() != "playground listening":
                pass  # the bot's own output
            assert line
            time.sleep(0.2)
            os.killpg(supervisor.pid, signal.SIGINT)  # Ctrl-C: the whole group gets it
            assert supervisor.wait(timeout=20) == 0
            assert "Stopped the bot and the Playground" in supervisor.stdout.read()
        finally:
            if supervisor.poll() is None:
                os.killpg(supervisor.pid, signal.SIGKILL)
    # Nothing is left running: the bot's port is free again.
    with subprocess.Popen(bot, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL) as again:
        time.sleep(0.5)
        assert again.poll() is None  # it could bind
        again.terminate()


def test_ctrl_c_at_the_terminal_under_make_exits_0(tmp_path: Path) -> None:
    """As `make run` in a terminal: Ctrl-C reaches the bot and the Playground, never make (GNU make
    kills itself with SIGINT when it gets one, and `make run` would end with 130 whatever its recipe does)."""
    port = free_port()
    bot = fake_bot(tmp_path, port)
    script = (
        "import os, sys; from bot.cli.devserver import supervise, terminal_foreground\n"
        "with terminal_foreground():\n"
        f"    code = supervise({bot!r}, [sys.executable, '-c', {PLAYGROUND!r}], "
        f"'http://127.0.0.1:{port}/healthz', dict(os.environ))\n"
        "sys.exit(code)\n"
    )
    (tmp_path / "run.py").write_text(script)
    (tmp_path / "Makefile").write_text(f"run:\n\t{sys.executable} {tmp_path / 'run.py'}\n")
    pid, terminal = os.forkpty()
    if pid == 0:  # the child: make, in a terminal of its own
        os.environ["PYTHONPATH"] = os.getcwd()
        os.execvp("make", ["make", "-s", "-C", str(tmp_path), "run"])
    said = b""
    try:
        deadline = time.monotonic() + 20
        while b"playground listening" not in said and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.2)[0]:
                said += os.read(terminal, 4096)
        assert b"playground listening" in said, said
        time.sleep(0.2)
        os.write(terminal, b"\x03")  # Ctrl-C
        while select.select([terminal], [], [], 10)[0]:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the terminal closed: everything in it has ended
                break
            if not chunk:
                break
            said += chunk
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(terminal)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (status, said)
    assert b"Stopped the bot and the Playground" in said and b"Error" not in said
