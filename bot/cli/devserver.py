"""``make run``: the bot and the Microsoft 365 Agents Playground together, for local development.

Starts ``cosbot serve`` on loopback, waits until it is healthy, writes a Playground
config whose users match the demo roster, then runs the Playground in the foreground.
Ctrl-C (or the Playground exiting) stops both; Ctrl-C exits with 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.cli.playground import write_config


def wait_healthy(
    url: str,
    process: subprocess.Popen[bytes],
    seconds: float = 30.0,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not should_stop():
        if process.poll() is not None:
            raise SystemExit(f"the bot stopped while starting (exit code {process.returncode}); see above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    if should_stop():
        return
    raise SystemExit(f"the bot did not become healthy at {url} within {seconds:.0f}s")


@contextmanager
def terminal_foreground() -> Iterator[None]:
    """Take the terminal's foreground (as a shell does for a job) while the bot and Playground run.

    Ctrl-C then reaches this process and its children only. ``make`` is left out of it: GNU make
    kills itself with SIGINT when it receives one, however cleanly its recipe stops, and would
    exit with 130. Without a terminal (or in the background) nothing changes.
    """
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        tty = -1
    before = -1
    try:
        if tty >= 0 and os.tcgetpgrp(tty) == os.getpgrp():  # in the background: leave it alone
            before = os.getpgrp()
            os.setpgid(0, 0)
            _set_foreground(tty, os.getpgrp())
    except OSError:  # a session leader cannot move to a group of its own
        before = -1
    try:
        yield
    finally:
        if before >= 0:
            _set_foreground(tty, before)
        if tty >= 0:
            os.close(tty)


def _set_foreground(tty: int, group: int) -> None:
    # A process not in the foreground may change it only with SIGTTOU ignored.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


def supervise(
    bot_command: list[str], playground_command: list[str], health_url: str, env: dict[str, str]
) -> int:
    """Run the bot, then the Playground in the foreground; stop both on Ctrl-C, with exit code 0.

    Ctrl-C reaches every process of the terminal's group: the Playground's own exit code then
    (254 from npx) is not a failure, and ``make`` must not report one.
    """
    stopping = False
    children: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:  # also when the signal came from elsewhere than the terminal
            if child.poll() is None:
                child.send_signal(signal.SIGINT)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        children.append(subprocess.Popen(bot_command))
        wait_healthy(health_url, children[0], should_stop=lambda: stopping)
        if stopping:
            return 0
        children.append(subprocess.Popen(playground_command, env=env))
        code = children[1].wait()
        return 0 if stopping else code
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if stopping:
            print("\n  Stopped the bot and the Playground.", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli.devserver", description=__doc__)
    parser.add_argument("--as", dest="person", default="priya.shah@kent-demo.example.org")
    parser.add_argument("--port", type=int, default=3978)
    parser.add_argument("--playground-port", type=int, default=56150)
    args = parser.parse_args(argv)

    try:
        config = write_config(Path("var/playground.yml"), args.person)
    except ValueError as error:
        parser.error(str(error))
    print(
        f"\n  Open http://localhost:{args.playground_port} in your browser once it says it is listening "
        f"(you are {args.person}).\n"
        "  To be someone else: make run AS=daniel.okafor@westgate-demo.example.org. Ctrl-C stops both.\n",
        flush=True,
    )
    env = {
        **os.environ,
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config.resolve()),
        "TEAMSAPPTESTER_BROWSER": "none",
    }
    bot = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    playground = [
        "npx", "--no-install", "agentsplayground",
        "-e", f"http://127.0.0.1:{args.port}/api/messages",
        "-c", "msteams", "--dt", "-p", str(args.playground_port),
    ]  # fmt: skip
    with terminal_foreground():
        return supervise(bot, playground, f"http://127.0.0.1:{args.port}/healthz", env)


if __name__ == "__main__":
    sys.exit(main())
