"""Generate vidagent/signals/data/imagenet_wordnet.json from WordNet 3.0 (run once; the output is shipped).

    apt-get install -y wordnet-base && python scripts/build_wordnet_table.py [--wordnet /usr/share/wordnet]

ImageNet-1k classes are WordNet 3.0 noun synsets (their ids are `n` + the synset's offset in
data.noun). For each class this writes its lemmas, its gloss, its hypernym chain (first hypernym at
each step, up to `entity`) and `kinds`: the ancestors a person would name it by ("dog", "bird",
"vehicle"), chosen by how often that word sense is used in WordNet's tagged corpus (cntlist.rev), so
the choice is WordNet's own, not a hand list; the two nearest hypernyms are always kept. vidagent reads only the generated JSON at run time;
WordNet's licence notice is written beside it (WORDNET_LICENSE).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "vidagent" / "signals" / "data"
MIN_TAG_COUNT = 5  # sense used at least this often in the tagged corpus: a familiar word for the thing
MIN_DEPTH = 6  # ancestors nearer the root than this ("entity", "object", "organism") are too vague
NEAREST = 2  # the nearest hypernyms are always kept ("domestic cat", "cat" for "Persian cat")
MAX_KINDS = 5


def parse_nouns(wn: Path) -> dict[str, dict]:
    """offset -> {lemmas, hypernyms, gloss, lexfile} from data.noun."""
    syn: dict[str, dict] = {}
    for line in (wn / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        head, _, gloss = line.partition(" | ")
        f = head.split()
        off, lexfile, n_words = f[0], int(f[1]), int(f[3], 16)
        words = [f[4 + 2 * i] for i in range(n_words)]
        lex_ids = [int(f[5 + 2 * i], 16) for i in range(n_words)]
        p = 4 + 2 * n_words
        n_ptr = int(f[p])
        hyper = []
        for i in range(n_ptr):
            sym, target, pos = f[p + 1 + 4 * i], f[p + 2 + 4 * i], f[p + 3 + 4 * i]
            if sym in ("@", "@i") and pos == "n":
                hyper.append(target)
        syn[off] = {
            "lemmas": [re.sub(r"\(.*\)$", "", w).replace("_", " ") for w in words],
            "raw": words,
            "lex_ids": lex_ids,
            "lexfile": lexfile,
            "hypernyms": hyper,
            "gloss": gloss.strip(),
        }
    return syn


def tag_counts(wn: Path, syn: dict[str, dict]) -> dict[str, int]:
    """offset -> the largest tagged-corpus count of any of its senses (cntlist.rev: lemma%sense_key)."""
    by_key: dict[str, int] = {}
    for line in (wn / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, _num, cnt = line.split()
        by_key[key.lower()] = int(cnt)
    out: dict[str, int] = {}
    for off, s in syn.items():
        best = 0
        for w, lid in zip(s["raw"], s["lex_ids"], strict=True):
            lemma = re.sub(r"\(.*\)$", "", w).lower()
            best = max(best, by_key.get(f"{lemma}%1:{s['lexfile']:02d}:{lid:02d}::", 0))
        out[off] = best
    return out


def chain(syn: dict[str, dict], off: str) -> list[str]:
    """Offsets from the synset's first hypernym up to the root."""
    out: list[str] = []
    cur = syn[off]["hypernyms"]
    while cur and cur[0] not in out:
        out.append(cur[0])
        cur = syn[cur[0]]["hypernyms"]
    return out


def imagenet_wnids() -> list[str]:
    from timm.data import ImageNetInfo

    info = ImageNetInfo("imagenet-1k")
    return [info.index_to_label_name(i) for i in range(1000)]


def main(wn: Path) -> None:
    syn = parse_nouns(wn)
    counts = tag_counts(wn, syn)
    classes = []
    for i, wnid in enumerate(imagenet_wnids()):
        off = wnid[1:]
        s = syn[off]
        up = chain(syn, off)
        depth = len(up)
        kinds: list[str] = []
        for j, anc in enumerate(up):
            level = depth - (j + 1)  # the ancestor's distance from `entity`
            if level < 5:
                break
            name = syn[anc]["lemmas"][0]
            near = j == 0 or (j < NEAREST and level >= MIN_DEPTH)
            if (
                (near or (counts[anc] >= MIN_TAG_COUNT and level >= MIN_DEPTH))
                and name not in kinds
                and name.lower() not in s["lemmas"][0].lower()
            ):
                kinds.append(name)
        classes.append(
            {
                "index": i,
                "wnid": wnid,
                "lemmas": s["lemmas"],
                "gloss": s["gloss"],
                "hypernyms": [syn[a]["lemmas"][0] for a in up],
                "kinds": kinds[:MAX_KINDS],
            }
        )
    OUT.mkdir(parents=True, exist_ok=True)
    data = {
        "source": "WordNet 3.0 (Princeton University), see WORDNET_LICENSE",
        "min_tag_count": MIN_TAG_COUNT,
        "classes": classes,
    }
    (OUT / "imagenet_wordnet.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    lic = Path("/usr/share/doc/wordnet-base/copyright")
    if lic.is_file():
        shutil.copyfile(lic, OUT / "WORDNET_LICENSE")
    print(f"wrote {len(classes)} classes to {OUT / 'imagenet_wordnet.json'}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wordnet", default="/usr/share/wordnet", type=Path)
    main(ap.parse_args().wordnet)
