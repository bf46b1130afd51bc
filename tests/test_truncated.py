"""Truncated files (issue 16, item 6): a "faststart" mp4 cut short keeps a header promising its full
length; its duration must come from what decodes, it is reported as truncated, and no clip lies past
the cut (such clips reused the last frame, ranked in search and failed to export)."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidagent
from vidagent.video import probe

from .clirun import vcli
from .conftest import count, make_video


def faststart_truncated(d: Path, keep: float) -> tuple[Path, Path]:
    """(whole faststart file, copy cut to `keep` of its bytes); the index (moov) sits at the front."""
    import av

    plain = make_video(d / "plain.mp4", [("red", 4), ("blue", 4), ("green", 4), ("white", 4)], audio=True)
    fast = d / "fast.mp4"
    with av.open(str(plain)) as src, av.open(str(fast), "w", options={"movflags": "faststart"}) as dst:
        streams = {s.index: dst.add_stream_from_template(s) for s in src.streams}
        for pkt in src.demux():
            if pkt.dts is None:
                continue
            pkt.stream = streams[pkt.stream.index]
            dst.mux(pkt)
    data = fast.read_bytes()
    assert data[:64].find(b"moov") > 0, "the index must be at the front for this probe"
    cut = d / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * keep)])
    return fast, cut


def test_probe_takes_the_duration_that_decodes(tmp_path: Path) -> None:
    fast, cut = faststart_truncated(tmp_path, 0.45)
    whole = probe(str(fast))
    assert whole.duration == pytest.approx(16.0, abs=0.1) and not whole.truncated
    info = probe(str(cut))
    assert info.truncated and info.header_duration == pytest.approx(16.0, abs=0.1)
    decoded = sum(1 for _ in vidagent.video.iter_frames(str(cut), width=32)) / 25.0
    assert info.duration == pytest.approx(decoded, abs=0.2) and info.duration < 10
    count("hostile files tried")


def test_index_reports_truncation_and_plans_no_phantom_clips(tmp_path: Path, colour_config: Path, capsys) -> None:
    _, cut = faststart_truncated(tmp_path, 0.45)
    store = tmp_path / "st"
    code, out, err = vcli(capsys, "index", cut, "-s", store, "-c", colour_config)
    assert code == 0, err
    warning = [ln for ln in err.splitlines() if ln.startswith("vidagent: warning:")]
    assert len(warning) == 1 and "cut.mp4: truncated: the header says 16.0 s" in warning[0], err
    end = probe(str(cut)).duration
    hits = vidagent.search("a white coloured screen", store=store, config=colour_config, top_k=20)
    assert hits and max(h.end for h in hits) <= end + 1e-3
    assert not any("white" in h.caption for h in hits)  # the white shot (12-16 s) is past the cut
    last = max(hits, key=lambda h: h.end)
    code, out, err = vcli(capsys, "export", last.clip_id, "--out", tmp_path / "last.mp4", "-s", store)
    assert code == 0 and (tmp_path / "last.mp4").is_file(), err
