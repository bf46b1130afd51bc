"""`VLMDescriber`: one path for every transformers video-LLM: frames -> processor -> generate -> decode.

Backends (backends.py) only say which model class to load, where the vision tower lives and which
extra processor inputs they need; batching, device/dtype choice, the memory-aware frame budget, the
OOM retry ladder (split the batch, then halve the frames) and the pooled vision vector live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..describe import Describer
from ..errors import VidagentError, debug, one_line, require
from ..prompts import Prompt, load_prompt, render
from ..types import ClipInput, Description, Frame
from .options import (
    VLMOptions,
    bytes_per_token,
    dtype_name,
    frame_budget,
    free_memory,
    quantization_config,
    resolve_device,
    resolve_dtype,
)

#: called before every generate with the clip ids and frames per clip of the attempt; raising
#: torch.cuda.OutOfMemoryError from it exercises the retry path without a GPU
FaultHook = Callable[[list[str], int], None]


def select_frames(frames: Sequence[Frame], n: int) -> list[Frame]:
    """`n` frames spread uniformly over the given ones (all of them when there are fewer)."""
    if n >= len(frames):
        return list(frames)
    idx = np.linspace(0, len(frames) - 1, n).round().astype(int)
    return [frames[i] for i in idx]


def clip_prompt(prompt: Prompt, item: ClipInput) -> str:
    """Render a caption-style prompt for one clip, filling only the clip variables it declares."""
    available = {"duration": f"{item.clip.duration:.0f}"}
    return render(prompt, **{k: v for k, v in available.items() if k in prompt.variables})


@dataclass
class _Job:
    """One clip's pending work; `retries` counts the OOM retries it went through."""

    clip_id: str
    frames: list[Frame]
    prompt: str
    retries: int = 0


@dataclass
class _Result:
    caption: str = ""
    frames: list[Frame] = field(default_factory=list)
    vector: np.ndarray | None = None
    new_tokens: int = 0
    batch: int = 0
    error: str | None = None


class VLMDescriber(Describer):
    """Base class of the transformers VLM backends; construct with a `DescribeConfig`."""

    uses_prompt: ClassVar[bool] = True
    can_ask: ClassVar[bool] = True
    frames_per_clip: ClassVar[int | None] = 8
    #: fewest frames the model accepts (Qwen's temporal patch needs 2)
    min_frames: ClassVar[int] = 1
    #: attribute (on the model or model.model) holding the vision encoder whose states are pooled
    vision_attr: ClassVar[str] = "vision_tower"

    def __init__(self, config: Any = None) -> None:
        self.opts = VLMOptions.parse(dict(getattr(config, "options", None) or {}), self.name)
        self.batch_size = int(getattr(config, "batch_size", 8))
        self.model_id = self.opts.model
        if self.opts.num_frames is not None:
            # instance override of the class default, so the pipeline samples this many frames
            self.__dict__["frames_per_clip"] = self.opts.num_frames
        self.fault_hook: FaultHook | None = None
        self.model: Any = None
        self.processor: Any = None
        self.device = ""
        self.dtype: Any = None
        self._resolved: tuple[str, str] | None = None
        self._tokens_per_frame: float | None = None

    # ---- backend hooks -------------------------------------------------------------------------
    def model_class(self, model_type: str) -> Any:
        """The transformers class that loads this checkpoint (default: AutoModelForImageTextToText)."""
        return require("transformers", "vlm").AutoModelForImageTextToText

    def processor_extra(self, clips: list[list[Frame]]) -> dict[str, Any]:
        """Extra processor kwargs: frame timestamps as video metadata (Qwen/SmolVLM put them in the prompt)."""
        from transformers.video_utils import VideoMetadata

        metas = []
        for frames in clips:
            t0 = frames[0].time
            idx = [int(round((f.time - t0) * 1000)) for f in frames]  # indices in a 1000-fps timeline
            metas.append(
                VideoMetadata(
                    total_num_frames=idx[-1] + 1, fps=1000.0, frames_indices=idx, duration=(idx[-1] + 1) / 1000
                )
            )
        return {"video_metadata": metas, "do_sample_frames": False}

    def vision_weights(self, inputs: Any, clips: list[list[Frame]]) -> list[float]:
        """Each clip's share of the rows the vision tower saw (frames for per-frame towers)."""
        return [float(len(c)) for c in clips]

    def prepare_video(self, frames: list[Frame]) -> np.ndarray:
        return np.stack([f.image for f in frames])

    # ---- loading -------------------------------------------------------------------------------
    def resolved(self) -> tuple[str, str]:
        """(device, dtype name) that `auto` settings mean on this machine, decided once from the settings
        and the visible hardware, never from a loaded model: the settings key and `load` both use it, so
        the key is the same before and after loading."""
        if self._resolved is None:
            require("torch", "vlm")
            device = resolve_device(self.opts.device)
            self._resolved = (device, dtype_name(resolve_dtype(self.opts.dtype, device)))
        return self._resolved

    def load(self) -> None:
        """Load processor and model once, from a hub id or a local dir (the same from_pretrained call)."""
        if self.model is not None:
            return
        torch = require("torch", "vlm")
        transformers = require("transformers", "vlm")
        if not debug():  # no weight-loading bars or backend notices between vidagent's own lines
            transformers.utils.logging.disable_progress_bar()
            transformers.utils.logging.set_verbosity_error()
        self.device, dtype = self.resolved()
        self.dtype = resolve_dtype(dtype, self.device)
        quant = quantization_config(self.opts, self.dtype)
        try:
            cfg = transformers.AutoConfig.from_pretrained(self.opts.model)
            self.processor = transformers.AutoProcessor.from_pretrained(self.opts.model)
            kwargs: dict[str, Any] = {"dtype": self.dtype}
            if quant is not None:
                kwargs.update(quantization_config=quant, device_map=self.device)
            model = self.model_class(cfg.model_type).from_pretrained(self.opts.model, **kwargs)
        except (OSError, ValueError) as exc:
            raise VidagentError(f"describer '{self.name}': cannot load '{self.opts.model}': {one_line(exc)}") from None
        self.model = (model if quant is not None else model.to(self.device)).eval()
        tok = getattr(self.processor, "tokenizer", None)
        if tok is not None:
            tok.padding_side = "left"  # batched generation continues every row from its last prompt token
        torch.set_grad_enabled(False)

    def _vision_module(self) -> Any:
        for owner in (self.model, getattr(self.model, "model", None)):
            mod = getattr(owner, self.vision_attr, None) if owner is not None else None
            if mod is not None:
                return mod
        raise VidagentError(f"describer '{self.name}': model has no '{self.vision_attr}' vision encoder")

    # ---- Describer API ------------------------------------------------------------------------
    def settings_key(self) -> dict[str, Any]:
        """A pure function of the options (with `auto` resolved by `resolved()`): the same before and
        after loading, so descriptions are stored under the key the video is activated with."""
        dtype = self.resolved()[1]
        quant = "4bit" if self.opts.load_in_4bit else "8bit" if self.opts.load_in_8bit else None
        return {
            **super().settings_key(),
            "dtype": dtype,
            "quant": quant,
            "num_frames": self.frames_per_clip,
            "max_new_tokens": self.opts.max_new_tokens,
        }

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        self.load()
        ref = ""
        if prompt is None:
            caption = load_prompt("caption")
            ref = caption.ref
        out: list[Description] = []
        for start in range(0, len(items), self.batch_size):
            chunk = items[start : start + self.batch_size]
            jobs = []
            for item in chunk:
                text = prompt if prompt is not None else clip_prompt(caption, item)
                jobs.append(_Job(item.clip.id, list(item.frames), text))
            out.extend(self._describe_chunk(jobs, ref))
        return out

    def ask(self, item: ClipInput, question: str) -> str:
        self.load()
        prompt = load_prompt("ask")
        [desc] = self._describe_chunk(
            [_Job(item.clip.id, list(item.frames), render(prompt, question=question))], prompt.ref
        )
        if "error" in desc.extra:
            raise VidagentError(
                f"describer '{self.name}' could not answer about clip {item.clip.id}: {desc.extra['error']}"
            )
        return desc.caption

    # ---- the retry ladder ----------------------------------------------------------------------
    def _describe_chunk(self, jobs: list[_Job], prompt_ref: str) -> list[Description]:
        requested = int(self.frames_per_clip or 8)
        budget = self._budget(jobs, requested)
        results = self._run(jobs, budget)
        descs = []
        for job, res in zip(jobs, results, strict=True):
            extra: dict[str, Any] = {
                "model": self.model_id,
                "device": self.device,
                "dtype": dtype_name(self.dtype),
                "prompt": job.prompt,
                "frames_requested": requested,
                "frame_budget": budget,
                "frames_used": len(res.frames),
                "batch_size_used": res.batch,
                "retries": job.retries,
                "new_tokens": res.new_tokens,
            }
            if prompt_ref:
                extra["prompt_ref"] = prompt_ref
            if res.error is not None:
                extra["error"] = res.error
            vectors = {"vision": res.vector} if res.vector is not None else {}
            descs.append(
                Description(caption=res.caption, frame_times=[f.time for f in res.frames], vectors=vectors, extra=extra)
            )
        return descs

    def _budget(self, jobs: list[_Job], requested: int) -> int:
        free = free_memory(self.device)
        if free is None:
            return requested
        cfg = getattr(self.model.config, "text_config", self.model.config)
        itemsize = 1 if (self.opts.load_in_4bit or self.opts.load_in_8bit) else int(self.dtype.itemsize)
        tpf = self._measure_tokens_per_frame(jobs[0].frames[0])
        return frame_budget(requested, len(jobs), tpf, bytes_per_token(cfg, itemsize), free, minimum=self.min_frames)

    def _measure_tokens_per_frame(self, frame: Frame) -> float:
        """Prompt tokens one more frame costs, measured once with the processor (exact for any backend)."""
        if self._tokens_per_frame is None:
            lengths = []
            for n in (2, 4):
                frames = [Frame(i * 0.5, frame.image) for i in range(n)]
                inputs = self._inputs(["x"], [frames])
                lengths.append(int(inputs["input_ids"].shape[1]))
            self._tokens_per_frame = (lengths[1] - lengths[0]) / 2
        return self._tokens_per_frame

    def _run(self, jobs: list[_Job], n_frames: int) -> list[_Result]:
        """Generate for `jobs`; on OOM split the batch in halves, then halve frames; isolate failures."""
        torch = require("torch", "vlm")
        try:
            return self._attempt(jobs, n_frames)
        except (RuntimeError, ValueError, VidagentError) as exc:
            oom = isinstance(exc, torch.cuda.OutOfMemoryError)
            if oom and self.device.startswith("cuda"):
                torch.cuda.empty_cache()
            if len(jobs) > 1:
                for job in jobs:
                    job.retries += 1
                mid = len(jobs) // 2
                return self._run(jobs[:mid], n_frames) + self._run(jobs[mid:], n_frames)
            used = min(n_frames, len(jobs[0].frames))
            if oom and used > self.min_frames:
                jobs[0].retries += 1
                return self._run(jobs, max(self.min_frames, used // 2))
            return [_Result(error=one_line(exc), frames=select_frames(jobs[0].frames, used))]

    def _inputs(self, prompts: list[str], clips: list[list[Frame]]) -> Any:
        texts = []
        for p in prompts:
            conv = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": p}]}]
            texts.append(self.processor.apply_chat_template(conv, add_generation_prompt=True, tokenize=False))
        videos = [self.prepare_video(c) for c in clips]
        inputs = self.processor(
            text=texts, videos=videos, padding=True, return_tensors="pt", **self.processor_extra(clips)
        )
        return inputs

    def _attempt(self, jobs: list[_Job], n_frames: int) -> list[_Result]:
        # Clips with fewer frames than asked for use all they have; equal counts batch together.
        clips = [select_frames(j.frames, n_frames) for j in jobs]
        if len({len(c) for c in clips}) > 1:
            order: dict[int, list[int]] = {}
            for i, c in enumerate(clips):
                order.setdefault(len(c), []).append(i)
            results: list[_Result | None] = [None] * len(jobs)
            for idxs in order.values():
                for i, r in zip(idxs, self._attempt([jobs[i] for i in idxs], n_frames), strict=True):
                    results[i] = r
            return [r for r in results if r is not None]
        if not clips[0]:
            raise VidagentError("clip has no frames")
        if self.fault_hook is not None:
            self.fault_hook([j.clip_id for j in jobs], len(clips[0]))
        inputs = self._inputs([j.prompt for j in jobs], clips).to(self.model.device, self.dtype)
        captured: list[Any] = []
        handle = self._vision_module().register_forward_hook(lambda _m, _i, out: captured.append(out))
        try:
            out = self.model.generate(**inputs, max_new_tokens=self.opts.max_new_tokens, do_sample=False)
        finally:
            handle.remove()
        new = out[:, inputs["input_ids"].shape[1] :]
        texts = self.processor.batch_decode(new, skip_special_tokens=True)
        vectors = self._pool(captured[0], self.vision_weights(inputs, clips)) if captured else [None] * len(jobs)
        pad = getattr(self.model.generation_config, "pad_token_id", None)
        counts = [int((row != pad).sum()) if pad is not None else int(row.numel()) for row in new]
        return [
            _Result(caption=t.strip(), frames=c, vector=v, new_tokens=k, batch=len(jobs))
            for t, c, v, k in zip(texts, clips, vectors, counts, strict=True)
        ]

    @staticmethod
    def _pool(output: Any, weights: list[float]) -> list[np.ndarray | None]:
        """Mean of the vision tower's last hidden state over each clip's frames and patches, L2-normalised."""
        hs = getattr(output, "last_hidden_state", None)
        if hs is None:
            hs = output[0] if isinstance(output, (tuple, list)) else output
        flat = hs.float().reshape(-1, hs.shape[-1])
        total = sum(weights)
        sizes = [int(round(flat.shape[0] * w / total)) for w in weights]
        if sum(sizes) != flat.shape[0]:
            return [None] * len(weights)
        vecs: list[np.ndarray | None] = []
        for part in flat.split(sizes):
            v = part.mean(0)
            v = v / v.norm().clamp_min(1e-12)
            vecs.append(v.cpu().numpy().astype(np.float32))
        return vecs
