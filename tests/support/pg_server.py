"""A throwaway PostgreSQL server for tests: ``initdb`` into a temp dir, run it, remove it.

::

    with PostgresServer.launch() as server:   # or PostgresServer.external(url)
        url = server.create_database()        # postgresql://postgres@127.0.0.1:PORT/cosbot_test_...
        ...
        server.drop_database(url)

The server listens on a free port on 127.0.0.1 (and on a unix socket in its temp dir),
trusts local connections, and runs without fsync: it is for tests only. It is stopped
and its directory removed on exit; if the test process dies without cleaning up, the
server gets SIGKILL from the kernel (Linux), and the next launch removes the directory.

As root (CI) the server runs as the ``postgres`` system user, since ``initdb`` and
``postgres`` refuse to run as root.

Run ``python -m tests.support.pg_server`` to start one by hand and print its URL, say
to run the whole suite on PostgreSQL::

    COSBOT_TEST_DATABASE_URL=<url> .venv/bin/pytest
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

INSTALL_HINT = "install Debian's postgresql package (apt-get install -y postgresql); .ci/run does"
_PREFIX = "cosbot-pg-"
_OWNER_FILE = "owner.pid"
_BINARIES = ("initdb", "postgres")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start."""


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: $COSBOT_PG_BINDIR, Debian's, else PATH's."""
    candidates: list[Path] = []
    if os.environ.get("COSBOT_PG_BINDIR"):
        candidates.append(Path(os.environ["COSBOT_PG_BINDIR"]))
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(d) for d in debian), key=_version_of, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a symlink into a directory that also has `postgres`.
        candidates += [Path(on_path).resolve().parent, Path(on_path).parent]
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in _BINARIES):
            return directory
    return None


def _version_of(directory: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", directory.parent.name))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` (SQLAlchemy's spelling) as the plain URL libpq reads."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_of(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise ValueError(f"no database name in {make_url(url).render_as_string()}")
    return name


class PostgresServer:
    """A PostgreSQL server to create and drop test databases on; see the module docstring."""

    def __init__(
        self,
        admin_url: str,
        *,
        process: subprocess.Popen[bytes] | None = None,
        directory: Path | None = None,
    ) -> None:
        #: A ``postgresql://`` URL of the maintenance database, for a superuser (or a CREATEDB role).
        self.url = libpq_url(admin_url)
        self._process = process
        self._directory = directory

    # ---------------------------------------------------------------- starting

    @classmethod
    def external(cls, url: str) -> PostgresServer:
        """A server someone else runs (``COSBOT_TEST_PG_URL``): only databases are made and dropped."""
        server = cls(url)
        try:
            with server._admin():
                pass
        except psycopg.OperationalError as exc:
            shown = make_url(url).render_as_string(hide_password=True)
            raise PostgresUnavailable(f"cannot connect to the PostgreSQL server at {shown}: {exc}") from exc
        return server

    @classmethod
    def launch(cls, bin_dir: Path | None = None, *, attempts: int = 3) -> PostgresServer:
        """initdb a new cluster in a temp dir and start it on a free port."""
        bin_dir = bin_dir or find_bin_dir()
        if bin_dir is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, postgres) were not found under "
                f"/usr/lib/postgresql/*/bin or on PATH: {INSTALL_HINT}. "
                "Or set COSBOT_TEST_PG_URL to a server to use."
            )
        _remove_abandoned()
        user = _server_user()
        directory = Path(tempfile.mkdtemp(prefix=_PREFIX))
        process: subprocess.Popen[bytes] | None = None
        try:
            (directory / _OWNER_FILE).write_text(str(os.getpid()))
            if user is not None:
                os.chown(directory, user.pw_uid, user.pw_gid)
            data = directory / "data"
            _run_as(
                user,
                [
                    str(bin_dir / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username=postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
                cwd=directory,
            )
            for attempt in range(1, attempts + 1):
                port = free_port()
                process = _start_postgres(user, bin_dir, data, directory, port)
                url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
                if _wait_ready(process, url, directory / "postgres.log"):
                    return cls(url, process=process, directory=directory)
                # Another process took the port between free_port() and the bind: try another.
                if attempt == attempts:
                    raise PostgresUnavailable(
                        f"PostgreSQL did not start; its log:\n{_tail(directory / 'postgres.log')}"
                    )
        except BaseException:
            if process is not None and process.poll() is None:  # interrupted while it started
                process.kill()
                process.wait()
            shutil.rmtree(directory, ignore_errors=True)
            raise
        raise AssertionError("unreachable")

    # --------------------------------------------------------------- databases

    def create_database(self, *, template: str | None = None, name: str | None = None) -> str:
        """Create an empty database (or a copy of ``template``) and return its ``postgresql://`` URL."""
        name = name or f"cosbot_test_{uuid.uuid4().hex[:16]}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self._admin() as conn:
            conn.execute(statement)
        return self.url_for(name)

    def drop_database(self, name_or_url: str) -> None:
        """Drop a database, closing any connection still open to it (PostgreSQL 13 and later)."""
        name = database_of(name_or_url) if "://" in name_or_url else name_or_url
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def url_for(self, database: str) -> str:
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    # ---------------------------------------------------------------- stopping

    @property
    def running(self) -> bool:
        return self._process is None or self._process.poll() is None

    def stop(self) -> None:
        """Stop the server this object started (fast shutdown) and remove its directory."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions, no waiting for them
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def log(self) -> str:
        return _tail(self._directory / "postgres.log") if self._directory else ""

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# ------------------------------------------------------------------ internals


def _server_user() -> pwd.struct_passwd | None:
    """None to run as ourselves; as root, the ``postgres`` user (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, and there is no 'postgres' user to run the server as: {INSTALL_HINT}"
        ) from None


def _uid(user: pwd.struct_passwd | None) -> int | None:
    return None if user is None else user.pw_uid


def _gid(user: pwd.struct_passwd | None) -> int | None:
    return None if user is None else user.pw_gid


def _groups(user: pwd.struct_passwd | None) -> list[int] | None:
    """No supplementary groups (not root's) for the server user; None keeps ours."""
    return None if user is None else []


def _run_as(user: pwd.struct_passwd | None, command: list[str], *, cwd: Path) -> None:
    result = subprocess.run(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=_environment(user),
        check=False,
        user=_uid(user),
        group=_gid(user),
        extra_groups=_groups(user),
    )
    if result.returncode != 0:
        raise PostgresUnavailable(
            f"{Path(command[0]).name} failed ({result.returncode}):\n{result.stdout.decode(errors='replace')}"
        )


def _environment(user: pwd.struct_passwd | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    if user is not None:
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
    return env


def _start_postgres(
    user: pwd.struct_passwd | None, bin_dir: Path, data: Path, directory: Path, port: int
) -> subprocess.Popen[bytes]:
    settings = {
        "port": str(port),
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(directory),
        "max_connections": "200",
        # A test server: durability off, for speed.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "logging_collector": "off",
    }
    command = [str(bin_dir / "postgres"), "-D", str(data)]
    for key, value in settings.items():
        command += ["-c", f"{key}={value}"]
    with open(directory / "postgres.log", "ab") as log:
        return subprocess.Popen(
            command,
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_environment(user),
            # Its own session: a Ctrl-C in the terminal reaches pytest, whose clean-up stops the server.
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            user=_uid(user),
            group=_gid(user),
            extra_groups=_groups(user),
        )


def _die_with_parent() -> None:
    """In the child, after the switch of user: SIGKILL it when the test process dies."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 30.0) -> bool:
    """True once the server accepts connections; False if it exited because its port was taken."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if "could not bind" in _tail(log) or "already in use" in _tail(log):
                return False
            raise PostgresUnavailable(f"PostgreSQL exited ({process.returncode}); its log:\n{_tail(log)}")
        try:
            with psycopg.connect(url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            time.sleep(0.05)
    process.kill()
    process.wait()
    raise PostgresUnavailable(f"PostgreSQL did not accept connections within {timeout:g} s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _remove_abandoned() -> None:
    """Remove the directories of earlier runs whose test process died and whose server is gone."""
    for directory in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            owner = int((directory / _OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner) or _alive(_postmaster_pid(directory / "data")):
            continue
        shutil.rmtree(directory, ignore_errors=True)


def _postmaster_pid(data: Path) -> int:
    """The server's pid from its ``postmaster.pid`` (left behind if it was killed), or 0."""
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    """Start a server, print its URL and a database's, and run until Ctrl-C or SIGTERM."""
    # Also when started in the background, where a shell leaves SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit)
    with PostgresServer.launch() as server:
        database = server.create_database(name="cosbot_test")
        print(f"server:   {server.url}", flush=True)
        print(f"database: {database}", flush=True)
        print(f"  COSBOT_TEST_DATABASE_URL={database} .venv/bin/pytest", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while server.running:
                time.sleep(0.5)


if __name__ == "__main__":
    main()
