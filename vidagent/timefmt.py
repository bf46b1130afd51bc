"""One way to write times in every output: `H:MM:SS.mmm` for people, plain seconds for scripts.

Every command used to round its own way (`0:09.96` in search, `0:10.0` in ask); a time printed
anywhere now reads the same, to the millisecond, and `--seconds` gives `9.960` for scripts.
"""

from __future__ import annotations

#: a time as people type it in a question: "1:10", "0:01:10", "1:10.5" (groups: hours, minutes, seconds)
CLOCK = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2}(?:\.\d+)?)"


def clock_seconds(h: str | None, m: str, s: str) -> float:
    """Seconds of a time matched by `CLOCK`."""
    return int(h or 0) * 3600 + int(m) * 60 + float(s)


def fmt_time(t: float, seconds: bool = False) -> str:
    """`H:MM:SS.mmm` (or `S.mmm` seconds when `seconds`), rounded once to the millisecond."""
    ms = max(0, round(float(t) * 1000))
    if seconds:
        return f"{ms // 1000}.{ms % 1000:03d}"
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def fmt_span(start: float, end: float, seconds: bool = False) -> str:
    return f"{fmt_time(start, seconds)}-{fmt_time(end, seconds)}"
