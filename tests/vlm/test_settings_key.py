"""A describer's settings key is a pure function of its settings, fixed before any model loads.

The key names the stored descriptions and the video's active describer; if it changed on loading (as
the VLMs' `dtype: auto` -> `fp32` once did), a video was activated under one key and described under
another, and nothing indexed could be found. Checked for every registered describer, built-in or not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from test_openai_http import FakeServer, ok
from vlm_clips import BACKENDS, make_items

from vidagent.config import DescribeConfig, Settings, stage_key
from vidagent.describe import Describer, registered_describers, resolve
from vidagent.types import ClipInput, Description

BUILTIN = {"offline", *BACKENDS, "openai"}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    s.respond = lambda body: (200, ok("a person opens a door"))
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def build(name: str, config: DescribeConfig) -> Describer:
    return resolve(registered_describers()[name].target)(config)  # type: ignore[no-any-return]


def config_for(name: str, tiny_dirs: dict[str, Path], server: FakeServer) -> DescribeConfig:
    if name in BACKENDS:
        if name not in tiny_dirs:
            pytest.skip(f"{name}: its processor's dependencies are not installed")
        return DescribeConfig(
            describer=name, options={"model": str(tiny_dirs[name]), "max_new_tokens": 4, "num_frames": 2}
        )
    if name == "openai":
        return DescribeConfig(describer=name, options={"base_url": server.url, "model": "m", "max_retries": 0})
    return DescribeConfig(describer=name, speech=False)


def test_every_builtin_describer_is_covered_here() -> None:
    builtins = {
        n for n, r in registered_describers().items() if isinstance(r.target, str) and r.target.startswith("vidagent.")
    }
    assert builtins == BUILTIN, "a new built-in describer needs a config in config_for()"


def _key_through_load(
    d: Describer, items: Sequence[ClipInput], strict: bool = True
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The key before loading, after loading, and after describing; `strict=False` lets a test double
    that cannot load or describe (test-broken) through, its key must be stable all the same."""
    before = d.settings_key()
    try:
        d.load()
    except Exception:
        if strict:
            raise
    after_load = d.settings_key()
    try:
        out = d.describe_batch(items)
        assert len(out) == len(items) and all("error" not in x.extra for x in out)
    except Exception:
        if strict:
            raise
    return before, after_load, d.settings_key()


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_key_is_the_same_before_and_after_loading_and_describing(
    name: str, tiny_dirs: dict[str, Path], server: FakeServer
) -> None:
    config = config_for(name, tiny_dirs, server)
    fresh = build(name, config)
    d = build(name, config)
    before, after_load, after = _key_through_load(d, make_items(2, frames=4))
    assert before == after_load == after
    assert fresh.settings_key() == after  # a new instance (the next run) computes the same key
    if name in BACKENDS:
        assert d.model is not None  # really loaded
        assert before["dtype"] == "fp32"  # `auto` on a CPU-only machine, resolved before loading
        from vidagent.vlm.options import dtype_name

        assert dtype_name(d.dtype) == before["dtype"]  # what was loaded is what the key says


def test_plugin_describers_keys_are_stable_too() -> None:
    """Whatever else is registered (tests' doubles, entry points) is held to the same rule."""
    others = [n for n, r in registered_describers().items() if n not in BUILTIN]
    assert others  # tests.plugins registers several
    for name in others:
        d = build(name, DescribeConfig(describer=name))
        before, after_load, after = _key_through_load(d, make_items(1, frames=2), strict=False)
        assert before == after_load == after, name


def test_auto_dtype_and_device_follow_visible_hardware_without_loading(
    tiny_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a (pretend) bf16-capable GPU visible, `auto` is cuda + bf16 in the key, decided up front."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    d = build("video-llava", DescribeConfig(describer="video-llava", options={"model": str(tiny_dirs["video-llava"])}))
    assert d.settings_key()["dtype"] == "bf16" and d.resolved() == ("cuda", "bf16") and d.model is None
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    d = build("video-llava", DescribeConfig(describer="video-llava", options={"model": str(tiny_dirs["video-llava"])}))
    assert d.settings_key()["dtype"] == "fp16"
    d = build(
        "video-llava",
        DescribeConfig(describer="video-llava", options={"model": str(tiny_dirs["video-llava"]), "device": "cpu"}),
    )
    assert d.resolved() == ("cpu", "fp32")


class DriftingKey(Describer):
    """A describer whose key changes when it loads, the way the VLMs' did: the executor must still store
    descriptions under the key it activates the video with (it computes the key once per run)."""

    name = "test-drifting-key"
    model_id = "test/drift"

    def __init__(self, config: Any = None) -> None:
        self.loaded = False

    def load(self) -> None:
        self.loaded = True

    def settings_key(self) -> dict[str, Any]:
        return {**super().settings_key(), "dtype": "fp32" if self.loaded else "auto"}

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        return [Description(caption=f"clip {i.clip.index}", frame_times=[f.time for f in i.frames]) for i in items]


def test_executor_uses_one_key_per_run(tmp_path: Path) -> None:
    from tests.conftest import make_video
    from vidagent.describe import register_describer
    from vidagent.pipeline import Indexer
    from vidagent.store import Store

    register_describer("test-drifting-key", DriftingKey)
    video = make_video(tmp_path / "v.mp4", [("red", 2), ("blue", 2)], fps=10, size=(64, 48))
    settings = Settings.model_validate({"describe": {"describer": "test-drifting-key"}, "clips": {"min_duration": 1.0}})
    with Store(tmp_path / "st") as st:
        ix = Indexer(st, settings)
        report = ix.run([str(video)])
        assert report.summary()["described"] == 2
        rows = st.active_rows()
        assert [r["caption"] for r in rows] == ["clip 0", "clip 1"]  # activated and stored under one key
        assert ix.describer_key() == stage_key(
            "describe",
            {"name": "test-drifting-key", "model_id": "test/drift", "version": "1", "dtype": "auto"},
            None,
            None,
            settings.describe.model_dump(exclude={"batch_size", "describer", "prompt"}),
            {},
        )


def test_store_left_by_the_old_key_is_repaired_by_reindexing_without_new_work(
    tiny_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """Stores indexed before the fix have the video activated under the pre-load key (dtype 'auto') and the
    descriptions under the post-load one ('fp32'), which is today's key on CPU: re-running `index`
    re-activates the stored descriptions and describes nothing."""
    from tests.conftest import make_video
    from vidagent.pipeline import Indexer
    from vidagent.store import Store

    video = make_video(tmp_path / "v.mp4", [("red", 2), ("blue", 2)], fps=10, size=(64, 48))
    settings = Settings.model_validate(
        {
            "describe": {
                "describer": "video-llava",
                "options": {"model": str(tiny_dirs["video-llava"]), "num_frames": 2, "max_new_tokens": 4},
            },
            "clips": {"min_duration": 1.0},
        }
    )
    with Store(tmp_path / "st") as st:
        first = Indexer(st, settings)
        assert first.run([str(video)]).summary()["described"] == 2
        [v] = st.videos()
        st.set_active(v.hash, str(v.plan_key), "0123456789abcdef")  # the old pre-load key
        assert st.active_rows() == []  # the reported symptom: search finds nothing
        again = Indexer(st, settings).run([str(video)])
        assert again.summary()["described"] == 0 and len(st.active_rows()) == 2
