"""``make run``: the bot and the Microsoft 365 Agents Playground together, for local development.

Starts ``cosbot serve`` on loopback, waits until it is healthy, writes a Playground
config whose users match the demo roster, then runs the Playground in the foreground.
Ctrl-C (or the Playground exiting) stops both.
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
from pathlib import Path

from bot.cli.playground import write_config


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the bot stopped while starting (exit code {process.returncode}); see above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"the bot did not become healthy at {url} within {seconds:.0f}s")


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
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    )
    try:
        wait_healthy(f"http://127.0.0.1:{args.port}/healthz", bot)
        print(
            f"\n  Open http://localhost:{args.playground_port} in your browser (you are {args.person}).\n"
            "  To be someone else: make run AS=daniel.okafor@westgate-demo.example.org\n",
            flush=True,
        )
        env = {
            **os.environ,
            "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config.resolve()),
            "TEAMSAPPTESTER_BROWSER": "none",
        }
        playground = subprocess.run(
            [
                "npx", "--no-install", "agentsplayground",
                "-e", f"http://127.0.0.1:{args.port}/api/messages",
                "-c", "msteams", "--dt", "-p", str(args.playground_port),
            ],
            env=env,
            check=False,
        )  # fmt: skip
        return playground.returncode
    except KeyboardInterrupt:
        return 130
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGINT)
            try:
                bot.wait(timeout=10)
            except subprocess.TimeoutExpired:
                bot.kill()


if __name__ == "__main__":
    sys.exit(main())
