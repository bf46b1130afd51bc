"""`vidagent prune` drops the descriptions no search shows and keeps everything else: the active ones,
caption jobs' (unless asked), and those written since their video's last activation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vidagent
from vidagent.caption import Output, caption
from vidagent.doctor import doctor
from vidagent.store import Store
from vidagent.types import Clip, Description, VideoInfo

REPO = Path(__file__).resolve().parents[1]


def _ranking(store: Path, cfg: Path) -> list[tuple[str, float]]:
    return [
        (h.clip_id, round(h.score, 9)) for h in vidagent.search("a blue screen", store=store, config=cfg, min_score=0)
    ]


@pytest.fixture()
def slow_colour(tmp_path: Path, colour_config: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIDAGENT_TEST_DELAY", "0")
    other = tmp_path / "other.yaml"
    other.write_text(colour_config.read_text().replace("test-colour", "test-slow-colour"))
    return other


def test_prune_drops_an_earlier_describer_and_search_is_unchanged(
    tmp_path: Path, shots_video: Path, colour_config: Path, slow_colour: Path
) -> None:
    store = tmp_path / "s"
    vidagent.index(shots_video, store=store, config=slow_colour)
    vidagent.index(shots_video, store=store, config=colour_config)
    clips = vidagent.status(store)["clips"]
    before = vidagent.status(store)
    assert before["superseded_descriptions"] == clips == before["descriptions"] - clips > 0
    ranked = _ranking(store, colour_config)
    dry = vidagent.prune(store, dry_run=True)
    assert (dry.dropped, dry.kept) == (clips, 0) and vidagent.status(store) == before
    done = vidagent.prune(store, vacuum=True)
    assert done.dropped == clips and done.vectors_after < done.vectors_before
    assert done.file_bytes is not None and done.file_bytes[1] < done.file_bytes[0]  # the disk is given back
    after = vidagent.status(store)
    assert (after["descriptions"], after["superseded_descriptions"], after["clips"]) == (clips, 0, clips)
    assert _ranking(store, colour_config) == ranked
    assert doctor(store, recall_sample=0).healthy  # FAISS files and keyword rows in step
    assert vidagent.prune(store).dropped == 0
    # the dropped describer's clips are described again when it is chosen again
    again = vidagent.index(shots_video, store=store, config=slow_colour)
    assert again.files[0].described == clips


def test_caption_jobs_are_kept_unless_asked(
    tmp_path: Path, shots_video: Path, colour_config: Path, slow_colour: Path
) -> None:
    store = tmp_path / "s"
    vidagent.index(shots_video, store=store, config=colour_config)
    caption([shots_video], outputs=[Output("jsonl", str(tmp_path / "c.jsonl"))], store=store, config=slow_colour)
    vidagent.index(shots_video, store=store, config=colour_config)  # a later index: the job's rows are older
    n = vidagent.status(store)["superseded_descriptions"]
    assert n > 0
    assert (vidagent.prune(store).dropped, vidagent.prune(store).kept) == (0, n)
    assert vidagent.prune(store, include_caption_jobs=True).dropped == n
    assert vidagent.status(store)["superseded_descriptions"] == 0


def test_descriptions_written_since_the_last_activation_are_kept(tmp_path: Path) -> None:
    """A run in progress writes descriptions before it activates them: a prune beside it keeps them."""
    check_prune_keeps_newer(Store(tmp_path / "s"))


def check_prune_keeps_newer(st: Store) -> None:
    try:
        h = "a" * 16
        st.upsert_video(VideoInfo("/v/a.mp4", h, 10, 10.0, 25.0, 64, 48, "h264", 250))
        clips = [Clip(f"a{i}", h, i, i * 5.0, i * 5.0 + 5, (i * 5.0 + 1,)) for i in range(2)]
        st.put_clips("plan", clips)
        vecs = [{"text:t": (v, "m")} for v in np.eye(2, 4, dtype=np.float32)]
        for key in ("old", "new"):
            descs = [Description(caption=f"{key} {i}", frame_times=[1.0]) for i in range(2)]
            st.put_descriptions(h, key, "d", "m", None, list(zip(clips, descs, strict=True)), vecs)
        st.set_active(h, "plan", "new")
        descs = [Description(caption=f"next {i}", frame_times=[1.0]) for i in range(2)]
        st.put_descriptions(h, "next", "d", "m", None, list(zip(clips, descs, strict=True)), vecs)
        report = vidagent.prune(st)
        assert (report.dropped, report.kept) == (2, 2)
        assert st.activity().n_inactive == 2 and st.descriptions_for("next", ["a0", "a1"]).keys() == {"a0", "a1"}
        assert st.descriptions_for("old", ["a0", "a1"]) == {}
    finally:
        st.close()


def test_cli_prints_one_line_and_a_missing_store_is_an_error(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = "from vidagent.cli import main; main()"
        return subprocess.run(
            [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=300
        )

    missing = run("prune", "--store", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr and not (tmp_path / "nowhere").exists()
    st = Store(tmp_path / "s")
    st.close()
    done = run("prune", "--store", str(tmp_path / "s"), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip()
        == "would drop 0 superseded descriptions; kept 0 inactive (caption jobs' or written since the last index)"
    )


def test_api_names_stay_functions_after_their_modules_load() -> None:
    """`vidagent.prune` and `vidagent.similar` are the functions on every access, not the modules that
    the first access imports (a package attribute named like a submodule is replaced by it)."""
    import vidagent.cli  # noqa: F401  (imports the command modules, as the CLI does)

    for name in ("prune", "similar", "search", "ask"):
        first, second = getattr(vidagent, name), getattr(vidagent, name)
        assert callable(first) and first is second, name
