"""Ask a question about an indexed store; the answer cites clips with timestamps.

    python examples/ask.py "when does the bike appear?" --store STORE

Uses `vidagent.agent.ask`. If this install has no agent yet, says so and exits with status 3.
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("question")
    ap.add_argument("--store", required=True)
    args = ap.parse_args()
    try:
        from vidagent.agent import ask
    except ImportError as exc:
        print(f"vidagent.agent is not available in this install ({exc})", file=sys.stderr)
        sys.exit(3)
    print(ask(args.question, store=args.store))


if __name__ == "__main__":
    main()
