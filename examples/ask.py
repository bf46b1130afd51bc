"""Ask a question about an indexed store; the answer cites clips with timestamps.

    python examples/ask.py "when does the bike appear?" --store STORE [--config settings.yaml] [--json]

Uses `vidagent.Library(...).ask`: offline unless `agent.chat_model` is set in the settings.
"""

from __future__ import annotations

import argparse
import json
import sys

import vidagent
from vidagent.errors import VidagentError


def fmt(t: float) -> str:
    m, s = divmod(max(t, 0.0), 60)
    return f"{int(m)}:{s:05.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("question")
    ap.add_argument("--store", required=True)
    ap.add_argument("--config", default=None)
    ap.add_argument("--json", action="store_true", help="answer and citations as JSON")
    args = ap.parse_args()
    try:
        answer = vidagent.Library(args.store, args.config).ask(args.question)
    except VidagentError as exc:  # an expected failure (no store, bad settings): one line, exit 1
        sys.exit(f"ask.py: error: {exc}")
    if args.json:
        print(
            json.dumps(
                {"answer": answer.answer, "citations": [c.to_json() for c in answer.citations]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    print(answer.answer)
    for c in answer.citations:
        mark = "verified" if c.verified else "unverified"
        print(f"  [{mark}] {c.video}  {fmt(c.start)}-{fmt(c.end)}  [{c.clip_id}]")


if __name__ == "__main__":
    main()
