"""The executor's seams: hooks observe a run; waiting on a side job never swallows a Ctrl-C."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from vidagent.config import load_settings
from vidagent.pipeline import Hooks, Indexer, Plan, _wait_quietly
from vidagent.stages import clips, scenes
from vidagent.store import Store
from vidagent.video import probe


def test_second_ctrl_c_while_waiting_on_a_side_job_is_not_swallowed() -> None:
    """Before: `_wait_quietly` caught BaseException, so a KeyboardInterrupt raised while the main thread
    waited for the speech job (a second Ctrl-C) vanished and the run went on."""

    class Waiting(Future[list[str]]):
        def result(self, timeout: float | None = None) -> list[str]:
            raise KeyboardInterrupt  # what the SIGINT handler raises in the waiting main thread

    with pytest.raises(KeyboardInterrupt):
        _wait_quietly(Waiting())
    failed: Future[list[str]] = Future()
    failed.set_exception(RuntimeError("the side job's own error is not the one to report"))
    _wait_quietly(failed)  # swallowed, as intended


def test_hooks_see_each_plan_and_batch(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    plans: list[Plan] = []
    batches: list[tuple[str, int, float]] = []
    settings = load_settings(colour_config, describe__batch_size=3)
    hooks = Hooks(on_plan=plans.append, on_batch=lambda p, n, s: batches.append((p.info.hash, n, s)))
    with Store(tmp_path / "st") as st:
        report = Indexer(st, settings, hooks=hooks).run([str(shots_video)])
        again = Indexer(st, settings, hooks=hooks).run([str(shots_video)])
    assert report.files[0].described == 4 and again.files[0].status == "unchanged"
    assert [len(p.todo) for p in plans] == [4, 0]
    assert [n for _, n, _ in batches] == [3, 1] and all(s >= 0 for _, _, s in batches)


def test_stage_functions_reuse_stored_work(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    settings = load_settings(colour_config)
    info = probe(str(shots_video))
    with Store(tmp_path / "st") as st:
        st.upsert_video(info)
        ticks: list[float] = []
        key, found = scenes(st, info, settings.scenes, ticks.append)
        assert len(found) == 4 and ticks[-1] == info.duration
        ticks.clear()
        assert scenes(st, info, settings.scenes, ticks.append) == (key, found) and ticks == []  # from the store
        plan_key, planned = clips(st, info, key, found, settings)
        assert clips(st, info, key, found, settings) == (plan_key, planned) and len(planned) == 4
