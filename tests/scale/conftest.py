"""Real parts for the scale-out tests, one of each per test session:

- a PostgreSQL server from Debian's `postgresql` package binaries (`.ci/run` installs them), run in a
  temporary data folder as the `postgres` user when the tests run as root (the server refuses root);
- a Ray local cluster in this process (`ray.init(num_cpus=2)`), workers importing the test plugins.

Both are skipped, with the reason, only when their software is absent.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import plugins as _plugins  # noqa: F401  (registers the test-layout describer here)

REPO = Path(__file__).resolve().parents[2]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A running PostgreSQL server; yields its base URL (no database name)."""
    pytest.importorskip("psycopg", reason="pip install 'vidagent[postgres]'")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
    data = Path(tempfile.mkdtemp(prefix="vidagent-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    os.chmod(data, 0o700)
    port = _free_port()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data / "db"),
            "-U",
            "vidagent",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data / "db"),
            "-l",
            str(data / "log"),
            "-w",
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200 -c shared_buffers=32MB",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://vidagent@127.0.0.1:{port}"
    finally:
        import gc

        gc.collect()  # pooled connections of finished stores close before the server goes
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture()
def pg_url(pg_server: str) -> str:
    """A fresh empty database on the session's server."""
    from sqlalchemy import create_engine, text

    name = "t_" + uuid.uuid4().hex[:12]
    eng = create_engine(
        pg_server.replace("postgresql://", "postgresql+psycopg://") + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with eng.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    eng.dispose()
    return f"{pg_server}/{name}"


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    """One local Ray cluster for the whole session (startup is slow on 2 cores)."""
    ray = pytest.importorskip("ray", reason="pip install 'vidagent[ray]'")
    os.environ["VIDAGENT_PLUGINS"] = "tests.plugins,tests.scale.plugins"
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    t = time.perf_counter()
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={
            "env_vars": {
                "PYTHONPATH": pythonpath,
                "VIDAGENT_PLUGINS": "tests.plugins,tests.scale.plugins",
                "OMP_NUM_THREADS": "1",
                "TOKENIZERS_PARALLELISM": "false",
            }
        },
    )
    from ..conftest import SUMMARY

    SUMMARY.append(f"ray: local cluster (2 CPUs) started in {time.perf_counter() - t:.1f} s")
    try:
        yield
    finally:
        ray.shutdown()
