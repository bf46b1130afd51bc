"""Video bytes by content hash with HTTP range requests: partial content, bounds, bad ranges, and a seek
near the end of the file that reads only the bytes asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vidagent.serve.media import RangeError, parse_range


@pytest.fixture(scope="module")
def trailer(api: Any, corpus: Path) -> tuple[str, bytes]:
    v = next(v for v in api.get("/api/videos").json() if v["name"] == "moviepy_trailer_bbb.mp4")
    return v["media"], (corpus / "small" / "moviepy_trailer_bbb.mp4").read_bytes()


def test_whole_file(api: Any, trailer: tuple[str, bytes]) -> None:
    url, data = trailer
    r = api.get(url)
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "video/mp4" and r.headers["accept-ranges"] == "bytes"
    assert int(r.headers["content-length"]) == len(data)
    head = api.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data) and not head.content
    etag = r.headers["etag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=5000-", 5000, None),  # open-ended: to the end
        ("bytes=-500", -500, None),  # the last 500 bytes
        ("bytes=0-0", 0, 0),
        ("bytes=100-99999999999", 100, None),  # end past the file: clipped
        ("bytes=10-19, 30-39", 10, 39),  # several ranges: one covering span
    ],
)
def test_partial_content(api: Any, trailer: tuple[str, bytes], header: str, first: int, last: int | None) -> None:
    url, data = trailer
    size = len(data)
    first = first if first >= 0 else size + first
    last = size - 1 if last is None else last
    r = api.get(url, headers={"Range": header})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {first}-{last}/{size}"
    assert r.content == data[first : last + 1]
    assert int(r.headers["content-length"]) == last - first + 1


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bytes=99999999999-", 416),  # starts past the end
        ("bytes=-0", 416),
        ("bytes=abc-def", 400),
        ("items=0-10", 400),
        ("bytes=50-10", 400),  # end before start
        ("bytes=", 400),
        ("bytes=-", 400),
        ("bytes=" + ",".join(["0-1"] * 40), 400),  # too many ranges
    ],
)
def test_bad_ranges_are_json_errors(api: Any, trailer: tuple[str, bytes], header: str, status: int) -> None:
    url, data = trailer
    r = api.get(url, headers={"Range": header})
    assert r.status_code == status
    assert r.json()["status"] == status and r.json()["error"]
    if status == 416:
        assert r.headers["content-range"] == f"bytes */{len(data)}"


def test_if_range_with_another_etag_sends_the_whole_file(api: Any, trailer: tuple[str, bytes]) -> None:
    url, data = trailer
    r = api.get(url, headers={"Range": "bytes=0-9", "If-Range": '"someotherversion"'})
    assert r.status_code == 200 and len(r.content) == len(data)


def test_a_seek_reads_only_the_bytes_asked_for(
    serve_store: Path, trailer: tuple[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import make_client

    url, data = trailer
    client, lib = make_client(serve_store)
    read: list[int] = []
    real_open = lib.files.open

    class Counting:
        def __init__(self, f: Any) -> None:
            self.f = f

        def seek(self, n: int) -> int:
            return int(self.f.seek(n))

        def read(self, n: int) -> bytes:
            b = self.f.read(n)
            read.append(len(b))
            return bytes(b)

        def close(self) -> None:
            self.f.close()

    def counting_open(path: str, video_hash: str) -> Any:
        got = real_open(path, video_hash)
        return None if got is None else (Counting(got[0]), got[1])

    monkeypatch.setattr(lib.files, "open", counting_open)
    with client:
        r = client.get(url, headers={"Range": f"bytes={len(data) - 4096}-{len(data) - 1}"})
    lib.close()
    assert r.status_code == 206 and r.content == data[-4096:]
    assert sum(read) == 4096  # not the 7.8 MB file


def test_parse_range_units() -> None:
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=-1000", 100) == (0, 99)
    assert parse_range("BYTES = 5 - 6", 100) == (5, 6)
    with pytest.raises(RangeError) as e:
        parse_range("bytes=100-", 100)
    assert e.value.status == 416
    with pytest.raises(RangeError) as e:
        parse_range("bytes=1-2-3", 100)
    assert e.value.status == 400
