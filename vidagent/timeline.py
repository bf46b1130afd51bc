"""Editor timelines through OpenTimelineIO: search hits or chapters as .otio, CMX 3600 EDL or FCP XML.

Each timeline clip references its source file (an external media reference with the file's full
available range) and carries the clip's in/out points as its source range, at the source's frame
rate, so an editor relinks nothing and trims nothing. Adapters for EDL and FCP XML are separate
packages (`pip install 'vidagent[timeline]'` brings them); a missing one is named in the error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import MissingDependency, VidagentError
from .outputs import OutputGuard

# format -> (OpenTimelineIO adapter, file suffixes, pip package that provides the adapter)
FORMATS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "otio": ("otio_json", (".otio",), "opentimelineio"),
    "edl": ("cmx_3600", (".edl",), "otio-cmx3600-adapter"),
    "fcpxml": ("fcpx_xml", (".fcpxml",), "otio-fcpx-xml-adapter"),
}


@dataclass(frozen=True)
class Span:
    """One timeline clip: a span of a source video, with a name shown in the editor."""

    video: str
    start: float
    end: float
    name: str
    fps: float
    duration: float  # of the whole source file (its available range)


def format_for(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The timeline format: `fmt` if given, else from the file suffix (.otio, .edl, .fcpxml)."""
    if fmt:
        if fmt not in FORMATS:
            raise VidagentError(f"unknown timeline format '{fmt}' ({', '.join(FORMATS)})")
        return fmt
    suffix = Path(path).suffix.lower()
    for name, (_, suffixes, _) in FORMATS.items():
        if suffix in suffixes:
            return name
    raise VidagentError(
        f"{path}: cannot tell the timeline format from '{suffix or '(no suffix)'}' (use .otio, .edl or .fcpxml)"
    )


def _otio() -> Any:
    try:
        import opentimelineio as otio
    except ImportError:
        raise MissingDependency("opentimelineio", "timeline") from None
    return otio


# The only rates FCP X XML can state; other sources are conformed to the nearest (times stay exact
# to one frame of that rate).
FCPX_RATES = (23.98, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0)
# SMPTE timecode (EDL) rates: a 10 or 20 fps source is written at the nearest one.
SMPTE_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 48.0, 50.0, 60000 / 1001, 60.0)


def _rate(fps: float, snap: Sequence[float] = ()) -> float:
    # Editors expect nominal rates; 29.97 stays 29.97 but 24.0000001 from a probe becomes 24.
    r = round(fps, 3) if fps and fps > 0 else 25.0
    if not snap:
        for exact in (24000 / 1001, 30000 / 1001, 60000 / 1001):  # NTSC rates stay exact (SMPTE needs it)
            if abs(r - exact) < 0.002:
                return exact
    return min(snap, key=lambda s: abs(s - r)) if snap else r


def build(name: str, spans: Sequence[Span], snap: Sequence[float] = ()) -> Any:
    """An OpenTimelineIO Timeline with one video track holding `spans` back to back.

    `snap`: allowed frame rates (a format that knows only a few); each span uses the nearest one."""
    otio = _otio()
    tl = otio.schema.Timeline(name=name)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    rate = _rate(spans[0].fps, snap) if spans else 25.0
    tl.global_start_time = otio.opentime.RationalTime(0, rate)
    for s in spans:
        r = _rate(s.fps, snap)
        ref = otio.schema.ExternalReference(
            target_url=Path(s.video).resolve().as_uri(),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, r), otio.opentime.RationalTime(round(s.duration * r), r)
            ),
        )
        ref.name = Path(s.video).name
        first = round(s.start * r)
        frames = max(1, round(s.end * r) - first)
        rng = otio.opentime.TimeRange(otio.opentime.RationalTime(first, r), otio.opentime.RationalTime(frames, r))
        track.append(otio.schema.Clip(name=s.name or Path(s.video).stem, media_reference=ref, source_range=rng))
    return tl


def write(
    spans: Sequence[Span],
    out: str | os.PathLike[str],
    fmt: str | None = None,
    name: str = "vidagent",
    guard: OutputGuard | None = None,
) -> Path:
    """Write `spans` as a timeline file (atomically, through the output guard); returns the path."""
    fmt = format_for(out, fmt)
    adapter, suffixes, package = FORMATS[fmt]
    guard = guard or OutputGuard()
    guard.check_file(out, suffixes)
    if not spans:
        raise VidagentError(f"{out}: nothing to put on the timeline (no clips)")
    otio = _otio()
    if adapter not in {a.name for a in otio.plugins.ActiveManifest().adapters}:
        raise VidagentError(
            f"the OpenTimelineIO adapter '{adapter}' is missing: pip install {package} "
            "(or pip install 'vidagent[timeline]')"
        )
    tl = build(name, spans, snap={"fcpxml": FCPX_RATES, "edl": SMPTE_RATES}.get(fmt, ()))
    return guard.write_with(out, lambda tmp: otio.adapters.write_to_file(tl, str(tmp), adapter_name=adapter), suffixes)


def spans_from_rows(store: Any, rows: Sequence[Any], title: str = "caption") -> list[Span]:
    """Spans for search hits (`Hit`) or chapter rows (dicts with video, start, end, and a title key)."""
    infos: dict[str, Any] = {}
    out = []
    for r in rows:
        get = r.get if hasattr(r, "get") else lambda k, d=None, r=r: getattr(r, k, d)
        h = get("video_hash") or ""
        if h and h not in infos:
            infos[h] = store.video_info(h)
        info = infos.get(h)
        fps = info.fps if info else 25.0
        start, end = float(get("start", 0.0)), float(get("end", 0.0))
        duration = info.duration if info else end
        name = str(get(title) or get("caption") or "")
        out.append(
            Span(
                video=str(get("video")),
                start=start,
                end=end,
                name=" ".join(name.split())[:120],
                fps=fps,
                duration=duration,
            )
        )
    return out
