"""Generate vidagent/data/query_wordnet.json.gz from WordNet 3.0 (run once; the output is shipped).

    apt-get install -y wordnet-base && python scripts/build_query_wordnet.py [--wordnet /usr/share/wordnet]

Query-side hierarchy: a query noun the index cannot see itself ("pedestrian", "cyclist",
"lecturer") is a kind of something it can ("person", found by the people detector and by labels such
as "scuba diver"). For every WordNet noun, this writes the nearest ancestors (up to `MAX_STEPS`
hypernym steps, through every hypernym of its main senses) that the index detects: the ImageNet
classes of the tagger and the familiar kinds the class table names for them
(`signals/data/imagenet_wordnet.json`: "dog", "vehicle", "person"), with the step count. A walk
stops at the first detected ancestor on each path; kinds covering over `TOO_BROAD` of the classes
("animal", "device") are never reached, and a noun the labels already name (a class or any ancestor
on a class's chain: "dog", "car") gets nothing, since going up would only match its siblings.
A noun WordNet marks as derivationally related to a detected one counts as one step too
("cyclist" -> "bicycle", "skier" -> "ski"). Also written: WordNet's irregular plurals (noun.exc) of the nouns kept, so "men" finds "man".
vidagent reads only the generated file at run time; WordNet's licence is in signals/data/WORDNET_LICENSE.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_wordnet_table import parse_nouns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ROOT / "vidagent" / "signals" / "data" / "imagenet_wordnet.json"
OUT = ROOT / "vidagent" / "signals" / "data" / "query_wordnet.json.gz"
MAX_STEPS = 4  # hypernym steps from the query noun to a detected concept
MIN_SHARE = 0.1  # a concept reached only by a rare sense ("tree" -> the actor Tree -> person) is left out
MAX_SENSES = 3  # the most frequent senses looked at (WordNet orders senses by tagged frequency)
TOO_BROAD = 0.12  # a concept over this share of the classes ("animal", "device") is too broad to stand for a word


def chain(syn: dict[str, dict], off: str) -> list[str]:
    """The synset and its first-hypernym chain up to the root (what the shipped class table lists)."""
    out = [off]
    cur = syn[off]["hypernyms"]
    while cur and cur[0] not in out:
        out.append(cur[0])
        cur = syn[cur[0]]["hypernyms"]
    return out


def detected(syn: dict[str, dict]) -> tuple[dict[str, str], set[str]]:
    """(offset -> concept name for what a word may stand for, every offset the labels say themselves).

    Concepts: the classes and the familiar kinds the class table names ("dog", "vehicle", "person"),
    minus those covering over TOO_BROAD of the classes. Said: every class and every ancestor on a
    class's chain (a query word naming one is matched by the labels directly)."""
    classes = json.loads(CLASSES.read_text(encoding="utf-8"))["classes"]
    cover: dict[str, int] = {}
    named: set[str] = set()
    for c in classes:
        up = chain(syn, c["wnid"][1:])
        named.add(up[0])
        kinds = set(c["kinds"])
        for off in up:
            cover[off] = cover.get(off, 0) + 1
            if syn[off]["lemmas"][0] in kinds:
                named.add(off)
    limit = TOO_BROAD * len(classes)
    return {off: syn[off]["lemmas"][0] for off in named if cover[off] <= limit}, set(cover)


def senses(wn: Path, syn: dict[str, dict]) -> dict[str, list[tuple[str, float]]]:
    """Noun lemma -> [(synset offset, share of the lemma's uses)], most frequent first (index.noun).

    The share is the sense's count in WordNet's tagged corpus (cntlist.rev) plus one, over the
    lemma's senses: "match" is a lighter in a quarter of its uses, so a concept reached only from
    that sense counts a quarter. At most MAX_SENSES senses are walked."""
    counts: dict[str, int] = {}
    for line in (wn / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, _num, cnt = line.split()
        counts[key.lower()] = int(cnt)
    out: dict[str, list[tuple[str, float]]] = {}
    for line in (wn / "index.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        f = line.split()
        lemma, n_syn, n_ptr = f[0].lower(), int(f[2]), int(f[3])
        offs = f[6 + n_ptr : 6 + n_ptr + n_syn]
        uses = []
        for off in offs:
            s = syn[off]
            lid = next((i for w, i in zip(s["raw"], s["lex_ids"], strict=True) if w.lower().split("(")[0] == lemma), 0)
            uses.append(counts.get(f"{lemma}%1:{s['lexfile']:02d}:{lid:02d}::", 0) + 1)
        total = sum(uses)
        out[lemma.replace("_", " ")] = [(o, u / total) for o, u in zip(offs, uses, strict=True)][:MAX_SENSES]
    return out


def derived_nouns(wn: Path) -> dict[str, list[str]]:
    """offset -> the nouns WordNet marks as derivationally related ("+" pointers): "cyclist" ->
    "bicycle", "skier" -> "ski"; what an agent noun does things with."""
    out: dict[str, list[str]] = {}
    for line in (wn / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        f = line.partition(" | ")[0].split()
        p = 4 + 2 * int(f[3], 16)
        for i in range(int(f[p])):
            sym, target, pos = f[p + 1 + 4 * i], f[p + 2 + 4 * i], f[p + 3 + 4 * i]
            if sym == "+" and pos == "n" and target != f[0]:
                out.setdefault(f[0], []).append(target)
    return out


def noun_share(wn: Path) -> dict[str, float]:
    """Lemma -> the share of its tagged uses that are nouns (cntlist.rev, every part of speech, plus
    one per part of speech it has): "antique" and "american" are mostly adjectives in a query."""
    uses: dict[str, dict[str, int]] = {}
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
        for line in (wn / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if not line.startswith(" "):
                uses.setdefault(line.split()[0], {})[pos] = 1
    for line in (wn / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, _num, cnt = line.split()
        lemma, _, rest = key.partition("%")
        pos = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}[rest[0]]
        if lemma in uses and pos in uses[lemma]:
            uses[lemma][pos] += int(cnt)
    return {w: u.get("n", 0) / sum(u.values()) for w, u in uses.items() if "n" in u}


def ancestors(syn: dict[str, dict], start: str, seen_as: dict[str, str]) -> dict[str, int]:
    """Detected ancestors of one synset -> steps, stopping at the first detected one on each path."""
    found: dict[str, int] = {}
    queue = deque([(start, 0)])
    visited = {start}
    while queue:
        off, d = queue.popleft()
        if d >= MAX_STEPS:
            continue
        for h in syn[off]["hypernyms"]:
            if h in visited:
                continue
            visited.add(h)
            if h in seen_as:
                name = seen_as[h]
                found[name] = min(found.get(name, 99), d + 1)
            else:
                queue.append((h, d + 1))
    return found


def main(wn: Path, out: Path = OUT) -> None:
    syn = parse_nouns(wn)
    seen_as, said = detected(syn)
    derived = derived_nouns(wn)
    nouny = noun_share(wn)
    concepts: list[str] = []
    cid: dict[str, int] = {}
    words: dict[str, list[list[float]]] = {}
    for lemma, offs in senses(wn, syn).items():
        if " " in lemma or "-" in lemma or not lemma.isalpha():
            continue  # queries are matched word by word
        if any(off in said for off, _ in offs):
            continue  # the labels name it themselves; going up would only add its siblings
        steps: dict[str, int] = {}
        share: dict[str, float] = {}
        for off, p in offs:
            reached = ancestors(syn, off, seen_as)
            for rel in derived.get(off, []):
                if rel in seen_as:  # one step, like a hypernym
                    reached[seen_as[rel]] = 1
            for name, d in reached.items():
                if name.lower() != lemma:
                    steps[name] = min(steps.get(name, 99), d)
                    share[name] = share.get(name, 0.0) + p
        if steps:
            row = []
            near = min(steps.values())
            for name, d in sorted(steps.items(), key=lambda x: (x[1], x[0])):
                share[name] *= nouny.get(lemma.replace(" ", "_"), 1.0)
                if share[name] < MIN_SHARE or d > near:
                    continue
                if name not in cid:
                    cid[name] = len(concepts)
                    concepts.append(name)
                row.append([cid[name], d, round(min(1.0, share[name]), 2)])
            if row:
                words[lemma] = row
    plurals = {}
    for line in (wn / "noun.exc").read_text(encoding="latin-1").splitlines():
        f = line.split()
        if len(f) >= 2 and f[1] in words and f[0] != f[1]:
            plurals[f[0]] = f[1]
    data = {
        "source": "WordNet 3.0 (Princeton University), see WORDNET_LICENSE",
        "max_steps": MAX_STEPS,
        "concepts": concepts,
        "words": words,
        "plurals": plurals,
    }
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    out.write_bytes(gzip.compress(raw, mtime=0))
    print(f"wrote {len(words)} nouns -> {len(concepts)} concepts ({out.stat().st_size} bytes) to {out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wordnet", default="/usr/share/wordnet", type=Path)
    ap.add_argument("--out", default=OUT, type=Path)
    args = ap.parse_args()
    main(args.wordnet, args.out)
