"""YAML bombs (issue 16, item 3): settings, job and prompt files go through one loader that bounds
alias expansion, nesting and size; each refusal is one line naming the file, in well under a second."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vidagent.config import load_settings
from vidagent.safe_yaml import MAX_NODES, YamlRefused, load_text

from .clirun import one_error_line, vcli
from .conftest import count


def laughs(depth: int, indent: str = "    ") -> str:
    """The 622-byte probe: nine copies per level, `depth` levels of aliases (9**depth values)."""
    lines = [f"{indent}l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, depth + 1):
        lines.append(f"{indent}l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "aliases depth 8": "describe:\n  options:\n" + laughs(8),
    "recursive alias": "describe:\n  options:\n    a: &a [1, *a]\n",
    "deep nesting": "describe:\n  options:\n    x: " + "[" * 500 + "]" * 500 + "\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_settings_bombs_are_refused_fast(name: str, tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "bomb.yaml"
    cfg.write_text(BOMBS[name])
    for cmd in (["config", "show", "-c", cfg], ["index", tmp_path, "-s", tmp_path / "st", "-c", cfg]):
        t0 = time.perf_counter()
        code, _, err = vcli(capsys, *cmd)
        assert time.perf_counter() - t0 < 5  # was 24 s / 1.9 GB at depth 7 and an abort at depth 8
        line = one_error_line(err)
        assert code == 1 and str(cfg) in line and "refused" in line, line
        count("YAML bombs rejected")
    assert not (tmp_path / "st").exists()  # refused before any store was made


def test_job_and_prompt_files_use_the_same_loader(tmp_path: Path, capsys) -> None:
    job = tmp_path / "job.yaml"
    job.write_text(
        "inputs: [a.mp4]\noutputs: [{format: jsonl, path: out.jsonl}]\nsettings:\n  describe:\n"
        "    options:\n" + laughs(8, "      ")
    )
    code, _, err = vcli(capsys, "batch", job, "--dry-run")
    assert code == 1 and "job.yaml: refused: expands to more than" in one_error_line(err)
    prompt = tmp_path / "p.yaml"
    prompt.write_text(
        "name: p\nversion: 1\ntemplate: hi\nvariables: &v [" + ", ".join(["a"] * 9) + "]\n"
        "description:\n" + laughs(8, "  ")
    )
    code, _, err = vcli(capsys, "caption", tmp_path, "--prompt", prompt, "--dry-run", "-s", tmp_path / "st")
    assert code == 1 and "p.yaml: refused" in one_error_line(err)
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 200_000)
    code, _, err = vcli(capsys, "config", "show", "-c", big)
    assert code == 1 and "larger than 1024 KB" in one_error_line(err)
    count("YAML bombs rejected", 3)


def test_ordinary_anchors_still_work(tmp_path: Path) -> None:
    cfg = tmp_path / "ok.yaml"
    cfg.write_text(
        "clips: &c\n  min_duration: 1.0\n  max_duration: 9.0\ndescribe:\n  options:\n    copy: *c\n" + laughs(3)
    )  # 9**3 = 729 values: fine
    s = load_settings(cfg)
    assert s.clips.max_duration == 9.0 and s.describe.options["copy"]["max_duration"] == 9.0
    with pytest.raises(YamlRefused):
        load_text(laughs(6, ""), "inline")  # 9**6 > MAX_NODES
    assert 9**6 > MAX_NODES > 9**4
