"""Embedded PostgreSQL for local runs and tests: `python scripts/pg.py start|stop|status|url`.

Runs the machine's PostgreSQL server binaries (initdb, pg_ctl) on a data folder of the project's
own under var/pg: no system service, no cluster of the machine's is touched. The server listens on 127.0.0.1 only, on a free
port chosen at first start and remembered in var/pg/port. PostgreSQL refuses to run as root, so
when run as root the server runs as an unprivileged system user (`revenuepg`, created if needed).
See docs/architecture.md ("Embedded database").
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATA = VAR / "pg" / "data"
PORT_FILE = VAR / "pg" / "port"
LOG = VAR / "pg" / "server.log"
DB_NAME = "revenue"
SYSTEM_USER = "revenuepg"


def _bin_dir() -> Path:
    """The newest PostgreSQL server binaries on this machine (Debian's postgresql package)."""
    configured = os.environ.get("PG_BIN_DIR")
    if configured:
        return Path(configured)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    sys.exit(
        "No PostgreSQL server binaries found. Install PostgreSQL 15+ with its contrib modules "
        "(Debian: `apt-get install postgresql`), set PG_BIN_DIR to its bin folder, or set DATABASE_URL."
    )


def _as_root() -> bool:
    return os.geteuid() == 0


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
            check=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def _open_path_for(path: Path) -> None:
    """Let the unprivileged server user traverse every folder above `path` (o+x, no read)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if _as_root():
        user = _ensure_system_user()

        def demote() -> None:
            os.setgid(user.pw_gid)
            os.initgroups(SYSTEM_USER, user.pw_gid)
            os.setuid(user.pw_uid)

        kwargs["preexec_fn"] = demote
        kwargs.setdefault("cwd", "/")
    return subprocess.run(args, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def port() -> int | None:
    return int(PORT_FILE.read_text()) if PORT_FILE.exists() else None


def url() -> str:
    return f"postgres://postgres@127.0.0.1:{port()}/{DB_NAME}"


def is_running() -> bool:
    pid_file = DATA / "postmaster.pid"
    if not pid_file.exists():
        return False
    r = _run([str(_bin_dir() / "pg_ctl"), "status", "-D", str(DATA)], capture_output=True)
    return r.returncode == 0


def init() -> None:
    if (DATA / "PG_VERSION").exists():
        return
    DATA.mkdir(parents=True, exist_ok=True)
    if _as_root():
        user = _ensure_system_user()
        _open_path_for(DATA.parent)
        for p in (DATA.parent, DATA):
            os.chown(p, user.pw_uid, user.pw_gid)
    DATA.chmod(0o700)
    r = _run(
        [
            str(_bin_dir() / "initdb"),
            "-D",
            str(DATA),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(f"initdb failed:\n{r.stdout}\n{r.stderr}")


def start() -> None:
    init()
    if is_running():
        return
    p = port()
    if p is None or _port_in_use(p):
        p = _free_port()
        PORT_FILE.write_text(str(p))
    LOG.touch()
    if _as_root():
        user = _ensure_system_user()
        os.chown(LOG, user.pw_uid, user.pw_gid)
    opts = f"-c listen_addresses=127.0.0.1 -p {p} -c unix_socket_directories='' -c max_connections=200 -c fsync=off"
    r = _run(
        [str(_bin_dir() / "pg_ctl"), "start", "-D", str(DATA), "-l", str(LOG), "-w", "-t", "60", "-o", opts],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(f"PostgreSQL did not start:\n{r.stdout}\n{r.stderr}\n{LOG.read_text()[-2000:]}")
    _create_database()


def _create_database() -> None:
    psql = [str(_bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(port()), "-U", "postgres", "-tAq"]
    for _ in range(30):
        r = subprocess.run(
            [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'"],
            capture_output=True,
            text=True,
        )
        if r.returncode == 0:
            break
        time.sleep(0.5)
    if r.stdout.strip() != "1":
        subprocess.run([*psql, "-c", f"CREATE DATABASE {DB_NAME}"], check=True)


def stop() -> None:
    if DATA.exists() and is_running():
        _run([str(_bin_dir() / "pg_ctl"), "stop", "-D", str(DATA), "-m", "fast", "-w"], capture_output=True)


def main(argv: list[str]) -> None:
    cmd = argv[1] if len(argv) > 1 else "status"
    if cmd == "start":
        start()
        print(url())
    elif cmd == "stop":
        stop()
    elif cmd == "url":
        print(url())
    elif cmd == "status":
        print("running" if is_running() else "stopped", url() if port() else "")
    elif cmd == "destroy":
        stop()
        shutil.rmtree(VAR / "pg", ignore_errors=True)
    else:
        sys.exit("usage: pg.py start|stop|status|url|destroy")


if __name__ == "__main__":
    main(sys.argv)
