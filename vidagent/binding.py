"""A describer bound to one run's settings: which describer, which prompt, the content key of what it
writes, loading it once, and the vector spaces its outputs go to.

Separate from the executor so that `index`, `caption` and the agent agree on one definition of "the
same description" (the key), and so a caller can hand in a describer object instead of a name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from .config import Settings, stage_key
from .describe import Describer, Embedder, get_describer, get_embedder
from .errors import DescriberUnavailable, MissingDependency, debug, one_line
from .prompts import load_prompt, render
from .types import ClipInput, Description, VideoInfo

log = logging.getLogger(__name__)


def _about(name: str, message: str) -> str:
    """Prefix a message with the describer's name unless it already names it."""
    return message if message.startswith(f"describer '{name}'") else f"describer '{name}': {message}"


class DescriberBinding:
    """Describer + prompt + settings for one run; everything is built lazily, once."""

    def __init__(
        self,
        settings: Settings,
        describer: str | Describer | None = None,
        prompt: str | None = None,
        prompt_vars: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._describer = describer if isinstance(describer, Describer) else None
        self.name = describer.name if isinstance(describer, Describer) else (describer or settings.describe.describer)
        self.prompt_name = prompt or settings.describe.prompt
        self.prompt_vars = prompt_vars or {}
        self._loaded = False
        self._prompt: tuple[str | None, str | None] | None = None
        self._key: str | None = None

    @property
    def describer(self) -> Describer:
        if self._describer is None:
            try:
                self._describer = get_describer(self.name, self.settings.describe)
            except (MissingDependency, DescriberUnavailable):
                raise
            except Exception as exc:
                raise DescriberUnavailable(_about(self.name, one_line(exc))) from None
        return self._describer

    def load(self) -> None:
        """Load the describer's models once, before the first batch; failing here stops the run."""
        if self._loaded:
            return
        try:
            self.describer.load()
        except (MissingDependency, DescriberUnavailable):
            raise
        except Exception as exc:
            if debug():
                raise
            raise DescriberUnavailable(_about(self.name, f"cannot load: {one_line(exc)}")) from None
        self._loaded = True
        log.info("describer '%s' loaded (%s)", self.name, self.describer.model_id or "no model id")

    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.embed.embedder)

    def prompt(self) -> tuple[str | None, str | None]:
        """(rendered text, name@version) or (None, None) for describers that take no prompt."""
        if self._prompt is None:
            if self.describer.uses_prompt:
                p = load_prompt(self.prompt_name)
                self._prompt = (render(p, **self.prompt_vars), p.ref)
            else:
                self._prompt = (None, None)
        return self._prompt

    def key(self) -> str:
        """The content key of this describer's output: same key, same descriptions (reused). Computed
        once per run, before any model loads: plan, activation and storage all use this one value (a key
        that changed on loading made indexed clips unfindable)."""
        if self._key is None:
            d = self.describer
            cfg = self.settings.describe.model_dump(exclude={"batch_size", "describer", "prompt"})
            try:
                settings_key = d.settings_key()
            except (MissingDependency, DescriberUnavailable):
                raise
            except Exception as exc:  # e.g. device: cuda without a GPU: the same for every file
                if debug():
                    raise
                raise DescriberUnavailable(_about(self.name, one_line(exc))) from None
            parts: list[Any] = [settings_key, self.prompt()[1], d.frames_per_clip, cfg, self.prompt_vars]
            if self.settings.embed.visual:  # a CLIP space is stored with the descriptions
                parts.append({"visual": self.settings.embed.visual, "visual_model": self.settings.embed.visual_model})
            self._key = stage_key("describe", *parts)
        return self._key

    def wants_speech(self, info: VideoInfo) -> bool:
        return bool(self.describer.needs_speech and self.settings.describe.speech and info.has_audio)

    def vectors(
        self, descs: Sequence[Description], items: Sequence[ClipInput] = ()
    ) -> list[dict[str, tuple[np.ndarray, str]]]:
        """The vectors stored with each description, by space name (with `embed.visual: clip`, also each
        clip's keyframes in the CLIP-family model's image-text space; that needs the clips' `items`)."""
        emb, d = self.embedder, self.describer
        caps = emb.embed_batch([x.caption or " " for x in descs])
        out: list[dict[str, tuple[np.ndarray, str]]] = []
        for desc, cap in zip(descs, caps, strict=True):
            if "error" in desc.extra:
                out.append({})  # a failed description is retried next run; nothing of it is searchable
                continue
            vecs: dict[str, tuple[np.ndarray, str]] = {f"text:{emb.name}": (cap, emb.model_id)}
            for key, v in desc.vectors.items():
                # "visual" vectors are built in the text embedder's space (queries can match them);
                # any other vector lives in its model's own space, for clip-to-clip similarity.
                # Named visual signals ("visual.people", ...) are text-space vectors too.
                text_space = key == "visual" or key.startswith("visual.")
                space = f"{key}:{emb.name}" if text_space else f"{key}:{d.model_id}"
                vecs[space] = (v, d.model_id)
            out.append(vecs)
        if self.settings.embed.visual and items:
            from .signals.clip import ClipEmbedder

            model = ClipEmbedder.shared(self.settings.embed.visual_model)
            frames = [[f.image for f in it.frames] for it in items]
            for clip_vecs, cv in zip(out, model.clip_vectors(frames), strict=True):
                if cv is not None and clip_vecs:  # a failed description stays without vectors
                    clip_vecs[model.space] = (cv, self.settings.embed.visual_model)
        return out
