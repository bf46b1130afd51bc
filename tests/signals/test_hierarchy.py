"""The shipped WordNet table: one entry per ImageNet class, in the tagger's order, with useful kinds."""

from __future__ import annotations

from importlib import resources

from vidagent.signals import hierarchy


def _index(name: str) -> int:
    return next(c["index"] for c in hierarchy.table() if c["lemmas"][0] == name)


def test_table_covers_imagenet_in_index_order_with_its_licence() -> None:
    table = hierarchy.table()
    assert [c["index"] for c in table] == list(range(1000))
    assert all(c["wnid"].startswith("n") and c["gloss"] and c["hypernyms"] for c in table)
    lic = resources.files("vidagent.signals").joinpath("data/WORDNET_LICENSE").read_text()
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in lic


def test_table_agrees_with_the_taggers_labels() -> None:
    from vidagent.perception.tagger import imagenet_labels

    labels = imagenet_labels()
    same = sum(lab in c["lemmas"] for lab, c in zip(labels, hierarchy.table(), strict=True))
    assert same >= 995  # the tagger renames two pairs of classes that share a first lemma


def test_kinds_say_what_a_class_is() -> None:
    assert {"domestic cat", "animal"} <= set(hierarchy.kinds(_index("Persian cat")))
    assert "bird" in hierarchy.kinds(_index("king penguin"))
    assert "dog" in hierarchy.kinds(_index("golden retriever"))
    assert "vehicle" in hierarchy.kinds(_index("sports car"))
    assert "bicycle" in hierarchy.kinds(_index("mountain bike"))
    # Vague ancestors near the root are never named.
    vague = {"entity", "physical entity", "object", "whole", "organism", "living thing", "artifact"}
    assert not any(vague & set(c["kinds"]) for c in hierarchy.table())


def test_caption_phrase_and_gloss_enriched_label_phrase() -> None:
    i = _index("Persian cat")
    assert hierarchy.with_kinds("Persian cat", i) == "Persian cat (domestic cat, animal)"
    phrase = hierarchy.label_phrases([c["lemmas"][0] for c in hierarchy.table()])[i]
    assert phrase.startswith("Persian cat, domestic cat") and "long-haired breed of cat" in phrase


def test_gloss_enriched_label_vectors_bring_the_kind_closer() -> None:
    """A query naming the kind ("a bird") is nearer the king penguin's enriched phrase than its bare name."""
    from vidagent.describe import get_embedder

    emb = get_embedder("minilm")
    i = _index("king penguin")
    phrase = hierarchy.label_phrases([c["lemmas"][0] for c in hierarchy.table()])[i]
    q, bare, rich = emb.embed_batch(["a bird", "a photo of a king penguin", f"a photo of a {phrase}"])
    assert float(q @ rich) > float(q @ bare)
