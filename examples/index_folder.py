"""Index a folder of videos into a store, then print what the store holds.

python examples/index_folder.py VIDEOS_DIR --store STORE [--config settings.yaml]
"""

from __future__ import annotations

import argparse

import vidagent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--store", required=True)
    ap.add_argument("--config", default=None)
    args = ap.parse_args()
    report = vidagent.index(args.folder, store=args.store, config=args.config)
    for f in report.files:
        print(f"{f.status:>9} {f.path} ({f.clips} clips)" + (f" {f.error}" if f.error else ""))
    print(vidagent.status(args.store))


if __name__ == "__main__":
    main()
