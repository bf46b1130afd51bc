"""Settings: one validated source (YAML -> pydantic). Unknown keys are errors that name the key.

Each section's fields feed the content key of the stage that uses them (see `stage_key`), so changing a
setting recomputes only the stages that depend on it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

SignalName = Literal["people", "colour", "motion", "crops", "hierarchy"]
ALL_SIGNALS: tuple[SignalName, ...] = ("people", "colour", "motion", "crops", "hierarchy")


def cpu_threads() -> int:
    """Threads each model may use: $VIDAGENT_THREADS (set per worker by `index --workers`, so N
    processes share the cores instead of each taking them all), else the cores, at most 4 (these
    small models stop scaling there)."""
    return int(os.environ.get("VIDAGENT_THREADS", "0") or 0) or min(4, os.cpu_count() or 1)


class _Section(BaseModel):
    # NaN and infinity are never meant: `threshold: .nan` would silently disable scene cuts
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    #: settings added after stores existed: part of a stage's key only when not at their default, so
    #: adding one does not re-key (and re-index) every store built before it
    KEYED_WHEN_SET: ClassVar[frozenset[str]] = frozenset()

    def key_dump(self) -> dict[str, Any]:
        """The settings as they enter a stage key (`stage_key`)."""
        data = self.model_dump(mode="json")
        for name in self.KEYED_WHEN_SET:
            if getattr(self, name) == type(self).model_fields[name].default:
                data.pop(name, None)
        return data


class ScenesConfig(_Section):
    detector: str = Field(
        "content",
        description="content/adaptive: PySceneDetect; transnetv2: learned shot boundaries; "
        "or a registered plugin detector (vidagent.scenes.register_detector)",
        min_length=1,
    )
    threshold: float = Field(27.0, description="ContentDetector threshold (0-255 scale of HSV change)")
    adaptive_threshold: float = Field(3.0, description="AdaptiveDetector ratio threshold")
    transnet_threshold: float = Field(0.5, description="TransNetV2 boundary probability threshold")
    min_scene_frames: int = Field(15, ge=1, description="shortest shot PySceneDetect may emit, in frames")
    detect_width: int = Field(
        256, ge=32, description="frames are scaled to this width while decoding for detection (speed)"
    )
    fast_decode: bool = Field(
        False,
        description="decode coarsely for detection (no deblocking, one thread, OpenCV shrink): ~35% less "
        "CPU in this stage; cuts on the threshold may move a frame or appear/vanish (docs/performance.md)",
    )
    KEYED_WHEN_SET = frozenset({"fast_decode"})


class ClipsConfig(_Section):
    KEYED_WHEN_SET = frozenset({"keyframe_grid"})

    min_duration: float = Field(2.0, ge=0, description="shorter scenes merge into a neighbour (s)")
    max_duration: float = Field(20.0, gt=0, description="longer scenes split into equal parts (s)")
    keyframes: int = Field(3, ge=1, le=64, description="keyframes sampled per clip")
    keyframe_grid: float = Field(
        0.0,
        ge=0,
        le=1,
        description="keyframes move to the nearest multiple of this many seconds (0.125: ~8% less CPU on a film), so "
        "the scene pass can keep them (docs/performance.md); 0: the exact centres, decoded again",
    )


class DescribeConfig(_Section):
    describer: str = Field("offline", description="registered describer name (see `vidagent models`)")
    prompt: str = Field("caption", description="prompt name for describers that take prompts")
    batch_size: int = Field(8, ge=1, description="clips per describer batch")
    frame_width: int = Field(448, ge=32, description="keyframes are decoded at most this wide")
    speech: bool = Field(True, description="transcribe audio and pass it to the describer")
    ocr: bool = Field(True, description="read text on screen (offline describer)")
    tags_top_k: int = Field(5, ge=1, description="labels kept per clip (offline describer)")
    signals: list[SignalName] = Field(
        default_factory=lambda: list(ALL_SIGNALS),
        description="extra visual signals of the offline describer (see docs/signals.md); [] for tags only",
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="describer-specific options (model id, device, dtype...)"
    )


class EmbedConfig(_Section):
    embedder: str = Field("minilm", description="registered text embedder name")
    visual: Literal["clip"] | None = Field(
        None, description="'clip': also embed keyframes with an image-text model (CLIP/SigLIP), fused as space 'clip'"
    )
    visual_model: str = Field(
        "openai/clip-vit-base-patch32", description="CLIP-family checkpoint: Hugging Face id or local folder"
    )


#: weight of each search source when `search.weights` does not set it. The signal spaces are off by
#: default except colour: their words already reach search through the caption and keywords, and
#: their spaces mostly added mass to clips that have them (docs/signals.md); clip counts only when
#: `embed.visual: clip` was indexed. `labels` (the query's confidence-weighted similarity to a clip's
#: visual labels) and `visual` were set on the eval set's tune split (docs/benchmarks.md).
DEFAULT_SEARCH_WEIGHTS = {
    "caption": 0.3,
    "visual": 0.2,
    "keywords": 0.4,
    "visual.people": 0.0,
    "visual.colour": 0.1,
    "visual.motion": 0.0,
    "clip": 0.3,
    "labels": 0.3,
}
DEFAULT_KEYWORD_FIELDS = {"tags": 1.0, "ocr": 1.0, "transcript": 0.6, "caption": 1.0}


class SearchConfig(_Section):
    top_k: int = Field(10, ge=1)
    rrf_k: int = Field(60, ge=1, description="unused since search fuses weighted scores; kept so older configs load")
    candidates: int = Field(50, ge=1, description="hits taken from each ranking before fusing")
    keyword_candidates_large: int = Field(
        100,
        ge=0,
        description="keyword hits scored at most on a store of over 50,000 descriptions (each is read and "
        "scored field by field; the vector sources bring their own candidates); 0: no cap. Smaller stores "
        "score 4x the over-fetched candidates (at least 200)",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="weight of each ranking source in the fused score, over the defaults (caption, visual, "
        "keywords, visual.people, visual.colour, visual.motion, clip); 0 turns one off",
    )
    fields: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_KEYWORD_FIELDS),
        description="keyword weight of each text field: tags (visual labels), ocr (on-screen text), "
        "transcript (speech), caption (the describer's words)",
    )
    sim_floor: float = Field(0.15, ge=-1, lt=1, description="cosine that counts as unrelated (rescaled to 0)")
    min_score: float = Field(
        0.1,
        ge=0,
        description="relevance floor: when no clip scores this much, "
        "search returns nothing (nonsense gets 'no results')",
    )
    min_score_words: float = Field(
        0.05,
        ge=0,
        description="the floor instead for a clip that also matches "
        "content words of the query (word evidence needs less meaning score)",
    )
    unknown_words: bool = Field(
        True,
        description="a query whose every content word is unknown to the embedder and to the library "
        "(gibberish) returns nothing",
    )
    phrases: bool = Field(
        True,
        description="adjacent query words found adjacent in a clip's text (stopwords skipped: 'black and "
        "white') count as one more keyword term",
    )
    label_confidence: bool = Field(
        True,
        description="keywords count a query word seen in the visual labels by the labels' confidence mass "
        "(with WordNet kinds) instead of how often the label text repeats it",
    )
    wordnet_weight: float = Field(
        0.0,
        ge=0,
        le=1,
        description="a query noun no label names ('pedestrian') matches the nearest concept the index detects "
        "that it is a kind of ('person', from WordNet) at this share of a full match, times the share of "
        "the noun's uses in that sense (0: off); such a query keyword-scores every candidate (as keywords_everywhere)",
    )
    wordnet_decay: float = Field(
        1.0, gt=0, le=1, description="the WordNet match counts this to the power of (hypernym steps - 1) more"
    )
    keywords_everywhere: bool = Field(
        False,
        description="keyword-score every candidate the other sources found too, not only the keyword "
        "index's hits (a clip's labels can mean a query word its text never says)",
    )
    frame_weight: float = Field(
        0.0,
        ge=0,
        le=1,
        description="a query word a clip's keyframes keep labelling counts at least this times the share of "
        "keyframes whose top labels mean it, however low the labels' probabilities (0: off)",
    )
    label_calibration: Literal["raw", "relative", "sqrt"] = Field(
        "raw",
        description="how a visual label's probability becomes its weight as evidence: raw (the softmax "
        "probability), relative (divided by the clip's top label), sqrt (probability / sqrt(top))",
    )
    same_video_decay: float = Field(
        0.6,
        gt=0,
        le=1,
        description="the n-th best clip of one video scores this to the power n-1 of its score, so one "
        "long video does not fill the list ahead of other videos' best clips (1: off)",
    )
    video_weight: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of a clip's score that comes from its video's score (the mean of the video's best "
        "clips per source and the query words found anywhere in its clips): 'which video' queries reach "
        "a video whose evidence is spread over several clips (0 by default: on the project's eval set it "
        "favoured long videos and lowered every figure, docs/benchmarks.md)",
    )
    video_top: int = Field(3, ge=1, description="how many of a video's best clips its video score averages")
    min_relative: float = Field(
        0.2, ge=0, le=1, description="hits scoring below this fraction of the best hit are not shown"
    )


class AgentConfig(_Section):
    chat_model: str | None = Field(
        None, description="'openai:<model>' for an OpenAI-compatible endpoint; unset: offline answerer"
    )
    base_url: str | None = Field(None, description="OpenAI-compatible base URL (or OPENAI_BASE_URL)")
    top_k: int = Field(5, ge=1)
    max_steps: int = Field(8, ge=1)
    timeout_s: float = Field(120.0, gt=0)


class Settings(_Section):
    scenes: ScenesConfig = ScenesConfig()
    clips: ClipsConfig = ClipsConfig()
    describe: DescribeConfig = DescribeConfig()
    embed: EmbedConfig = EmbedConfig()
    search: SearchConfig = SearchConfig()
    agent: AgentConfig = AgentConfig()


def _format_error(source: str, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        key = ".".join(str(x) for x in e["loc"])
        if e["type"] == "extra_forbidden":
            parts.append(f"unknown key '{key}'")
        else:
            parts.append(f"'{key}': {e['msg']}")
    return f"{source}: invalid settings: " + "; ".join(parts)


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """Load settings from YAML (or defaults), then apply dotted overrides like describe__describer='x'."""
    data: dict[str, Any] = {}
    source = "settings"
    if path is None:
        path = os.environ.get("VIDAGENT_CONFIG") or None
    if path is not None:
        p = Path(path)
        source = str(p)
        from .safe_yaml import load_file

        loaded = load_file(p, "config file")
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{p}: settings must be a mapping at the top level")
        data = loaded
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, _, key = dotted.partition("__")
        data.setdefault(section, {})
        if not isinstance(data[section], dict):
            raise ConfigError(f"{source}: '{section}' must be a mapping")
        data[section][key] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(source, exc)) from None


def stage_key(*parts: Any) -> str:
    """A short content key from a stage's inputs and settings (pydantic models, dicts, strings)."""
    norm = [
        p.key_dump() if isinstance(p, _Section) else p.model_dump(mode="json") if isinstance(p, BaseModel) else p
        for p in parts
    ]
    blob = json.dumps(norm, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def describe_settings(settings: Settings) -> str:
    """The settings as YAML, for `vidagent config show`."""
    return yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=False)


def settings_help() -> str:
    """Every key with its default and meaning, shown in `vidagent config show --help`-style listings."""
    lines = []
    for name, field in Settings.model_fields.items():
        section = field.default
        lines.append(f"{name}:")
        for key, f in type(section).model_fields.items():
            desc = f.description or ""
            lines.append(f"  {key}: {getattr(section, key)!r}  # {desc}".rstrip(" #"))
    return "\n".join(lines)
