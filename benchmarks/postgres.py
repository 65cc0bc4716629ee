"""A throwaway PostgreSQL 15 cluster, made as `.ci/run` makes one: for `make bench` and the proxy tests.

`throwaway_postgres()` initialises a cluster in a temporary folder (as the `postgres` user
when run as root, since initdb refuses root), starts it on a free loopback port with
durability off (nothing in it is worth keeping), and yields a `Cluster` whose `url` is a
DATABASE_URL. `stop()` and `start()` let a test take the database away and bring it back.
Everything is removed afterwards.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, folder: Path, port: int, as_pg: list[str]):
        self.folder, self.port, self.as_pg = folder, port, as_pg
        self.data = folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{port}/dystonia"
        self.options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB"
        )

    def pg_ctl(self, *args, check=True):
        return subprocess.run(  # noqa: S603 - fixed PostgreSQL binaries and our own folder
            [*self.as_pg, PG_BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "server.log", *args],
            check=check,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self):
        self.pg_ctl("-w", "-t", "60", "-o", self.options, "start")

    def stop(self, mode="fast"):
        self.pg_ctl("-m", mode, "-w", "stop")


@contextlib.contextmanager
def throwaway_postgres():
    if not (PG_BIN / "initdb").exists():
        raise FileNotFoundError(f"PostgreSQL 15 server binaries are not in {PG_BIN}: apt-get install -y postgresql-15")
    folder = Path(tempfile.mkdtemp(prefix="dystonia-pg."))
    as_pg = []
    if os.getuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(folder, free_port(), as_pg)
    try:
        subprocess.run(  # noqa: S603 - fixed PostgreSQL binaries and our own folder
            [*as_pg, PG_BIN / "initdb", "-D", cluster.data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cluster.start()
        subprocess.run(  # noqa: S603
            [*as_pg, PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "dystonia"],
            check=True,
        )
        yield cluster
    finally:
        cluster.pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)
