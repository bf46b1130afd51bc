"""Crash safety, Ctrl-C, concurrent writers, readers during writes, doctor, schema versions.

These kill real `vidagent index` subprocesses. The slow colour double (tests/plugins.py) makes the
describe stage take long enough to be killed part-way through.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vidagent
from vidagent.errors import VidagentError
from vidagent.store import Store

from .conftest import SUMMARY, count, count_rows, make_video

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def env(delay: float = 0.15) -> dict[str, str]:
    e = {**os.environ, "VIDAGENT_PLUGINS": "tests.plugins", "VIDAGENT_TEST_DELAY": str(delay)}
    e.pop("VIDAGENT_DEBUG", None)
    return e


def start_index(store: Path, cfg: Path, *paths: Path, delay: float = 0.15) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vidagent", "index", *map(str, paths), "--store", str(store), "--config", str(cfg)],
        cwd=REPO,
        env=env(delay),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(store: Path, table: str, n: int, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    t0 = time.time()
    while count_rows(store, table) < n:
        if proc.poll() is not None:
            raise AssertionError(f"index ended before {n} {table}: {proc.stderr.read() if proc.stderr else ''}")
        if time.time() - t0 > timeout:
            raise AssertionError(f"timeout waiting for {n} {table}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lib = tmp_path_factory.mktemp("lib")
    colours = ["red", "blue", "green", "white", "black"]
    make_video(lib / "a.mp4", [(colours[i % 5], 1.2) for i in range(10)])
    make_video(lib / "b.mp4", [(colours[(i + 3) % 5], 1.2) for i in range(8)])
    return lib


@pytest.fixture()
def slow_cfg(tmp_path: Path) -> Path:
    cfg = tmp_path / "slow.yaml"
    cfg.write_text(
        "describe:\n  describer: test-slow-colour\n  batch_size: 2\nclips:\n  min_duration: 0.5\n  max_duration: 10\n"
    )
    return cfg


def snapshot(store: Path, cfg: Path) -> dict[str, object]:
    st = Store(store, create=False)
    try:
        rows = st.active_rows()
        stats = st.stats()
    finally:
        st.close()
    hits = vidagent.search("a green coloured screen", store=store, config=cfg, top_k=6)
    return {
        "clips": sorted((r["clip_id"], r["start"], r["end"], r["caption"]) for r in rows),
        "descriptions": stats["descriptions"],
        "vectors": stats["vectors"],
        "search": [(h.clip_id, round(h.score, 9)) for h in hits],
    }


def test_sigkill_at_several_points_then_rerun_matches_clean_run(tmp_path: Path, library: Path, slow_cfg: Path) -> None:
    clean = tmp_path / "clean"
    p = start_index(clean, slow_cfg, library, delay=0.0)
    assert p.wait(300) == 0, p.stderr.read() if p.stderr else ""
    expected = snapshot(clean, slow_cfg)
    assert expected["descriptions"] == 18 and expected["vectors"] == 18

    killed = tmp_path / "killed"
    kills = 0
    for after in (0, 3, 8, 13):  # descriptions committed before the kill (0: during startup/scenes)
        p = start_index(killed, slow_cfg, library)
        if after == 0:
            wait_for(killed, "videos", 1, p)
        else:
            wait_for(killed, "descriptions", after, p)
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        kills += 1
    p = start_index(killed, slow_cfg, library, delay=0.0)
    assert p.wait(300) == 0, p.stderr.read() if p.stderr else ""
    assert snapshot(killed, slow_cfg) == expected
    SUMMARY.append(f"crash safety: {kills} SIGKILLs during index survived; store equals a clean run")
    count("kills survived", kills)


def test_ctrl_c_stops_after_the_batch_with_exit_130(tmp_path: Path, library: Path, slow_cfg: Path) -> None:
    store = tmp_path / "st"
    p = start_index(store, slow_cfg, library, delay=0.3)
    wait_for(store, "descriptions", 2, p)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "stopping after the current batch" in err and "interrupted" in err
    assert "Traceback" not in err
    done = count_rows(store, "descriptions")
    assert 2 <= done < 18 and done % 2 == 0  # whole batches of 2, nothing half-written
    p = start_index(store, slow_cfg, library, delay=0.0)
    assert p.wait(300) == 0
    assert count_rows(store, "descriptions") == 18


def test_two_concurrent_writers_and_a_reader(tmp_path: Path, library: Path, slow_cfg: Path) -> None:
    store = tmp_path / "st"
    # a holds the writer lock for ~7 s after its first commit: long enough for b to start and wait.
    a = start_index(store, slow_cfg, library / "a.mp4", library / "b.mp4", delay=0.4)
    wait_for(store, "descriptions", 1, a)
    b = start_index(store, slow_cfg, library / "b.mp4", delay=0.1)
    # A reader works while the writer runs (WAL): search returns results, no "database is locked".
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "vidagent",
            "search",
            "screen",
            "--json",
            "--store",
            str(store),
            "--config",
            str(slow_cfg),
        ],
        cwd=REPO,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) >= 1
    assert a.wait(300) == 0 and b.wait(300) == 0
    assert "waiting for another vidagent process" in (b.stderr.read() if b.stderr else "")
    assert count_rows(store, "descriptions") == 18 and count_rows(store, "embeddings") == 18
    report = vidagent.status(store)
    assert report["clips"] == 18
    from vidagent.doctor import doctor

    assert doctor(store).healthy


def test_doctor_finds_and_repairs_a_damaged_store(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    from vidagent.doctor import doctor

    store = tmp_path / "st"
    vidagent.index(shots_video, store=store, config=colour_config)
    assert doctor(store).healthy
    faiss_file = next((store / "vectors").glob("text*.faiss"))
    faiss_file.write_bytes(b"garbage")
    (store / "vectors" / "text.faiss.tmp999").write_bytes(b"half")
    with sqlite3.connect(store / "vidagent.db") as c:
        c.execute("INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) VALUES (999, 'ghost', '', '', '')")
    rep = doctor(store)
    assert not rep.healthy
    bad = {f.check for f in rep.findings if not f.ok}
    assert {"keyword index", "temp files"} <= bad
    # Search still answers correctly from the damaged store: the index is rebuilt from the database.
    assert (
        vidagent.search("a blue coloured screen", store=store, config=colour_config)[0].caption
        == "a blue coloured screen"
    )
    rep = doctor(store, repair=True)
    assert rep.healthy
    assert doctor(store).healthy and all(f.ok for f in doctor(store).findings)


def test_newer_store_is_refused_and_older_upgraded(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    from vidagent.store import migrate

    store = tmp_path / "st"
    vidagent.index(shots_video, store=store, config=colour_config)
    with sqlite3.connect(store / "vidagent.db") as c:
        c.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(VidagentError, match="schema version 99 is newer"):
        Store(store)
    from vidagent.store.models import SCHEMA_VERSION

    with sqlite3.connect(store / "vidagent.db") as c:
        c.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
    calls = []
    nxt = SCHEMA_VERSION + 1
    migrate.MIGRATIONS[nxt] = lambda conn: calls.append(conn)
    try:
        st = Store(store)
        assert migrate.upgrade(st.engine, target=nxt) == SCHEMA_VERSION
        assert st.meta("schema_version") == str(nxt) and len(calls) == 1
    finally:
        del migrate.MIGRATIONS[nxt]
