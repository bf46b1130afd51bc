"""Caption every clip of a folder with a custom prompt file and write a dataset JSONL.

    python examples/batch_caption.py VIDEOS_DIR --store STORE --out captions.jsonl \
        [--prompt examples/prompts/short.yaml] [--var style=plain] [--describer NAME] [--config settings.yaml]

Re-running continues an interrupted run; the JSONL is rebuilt from the store each time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vidagent.caption import Output, caption

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--store", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--prompt", default=str(HERE / "prompts" / "short.yaml"))
    ap.add_argument("--var", action="append", default=["style=plain"], help="key=value")
    ap.add_argument("--describer", default=None)
    ap.add_argument("--config", default=None)
    args = ap.parse_args()
    variables = dict(v.split("=", 1) for v in args.var)
    report = caption(
        [args.folder],
        prompt=args.prompt,
        prompt_vars=variables,
        describer=args.describer,
        outputs=[Output("jsonl", args.out)],
        store=args.store,
        config=args.config,
        on_warning=lambda w: print("warning:", w),
    )
    print(f"{report.rows} rows -> {args.out} ({report.index.summary()['described']} newly described)")


if __name__ == "__main__":
    main()
