"""Search an indexed store and print the top clips with their time spans.

python examples/search.py "a red car at night" --store STORE [--top-k 5] [--config settings.yaml]
"""

from __future__ import annotations

import argparse
import json

import vidagent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("query")
    ap.add_argument("--store", required=True)
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--config", default=None)
    args = ap.parse_args()
    for hit in vidagent.search(args.query, store=args.store, top_k=args.top_k, config=args.config):
        print(
            json.dumps(
                {"video": hit.video, "start": hit.start, "end": hit.end, "clip_id": hit.clip_id, "caption": hit.caption}
            )
        )


if __name__ == "__main__":
    main()
