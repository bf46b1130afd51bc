"""The executor: the one place that does I/O and model work, stage by stage, per video, in batches.

    video --probe/hash--> VideoInfo --scenes--> [Scene] --clips (pure)--> [Clip]
          --audio once--> [Segment] --describe (batched)--> [Description] --embed--> store

Each stage's output is looked up by its content key before it is computed, so a re-run does only new
work: same file (even moved or renamed) -> nothing; new describer -> only descriptions; new detector
-> scenes and everything after. A bad file is reported on one line and the batch goes on; each batch
of clips is committed on its own, so an interrupt loses at most the batch in flight.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import video as vmod
from .clips import plan_clips, uniform_times
from .config import Settings, stage_key
from .describe import Describer, Embedder, get_describer, get_embedder
from .errors import (BadVideo, DescriberUnavailable, DiskFull, MissingDependency, VidagentError, debug, one_line,
                     ordinary)
from .prompts import load_prompt, render
from .scenes import detect_scenes
from .store import Store
from .types import Clip, ClipInput, Description, Segment, VideoInfo

log = logging.getLogger("vidagent")

# Audio is transcribed in pieces of this many seconds (flat memory on long recordings); a word cut at
# a boundary is the cost, once every 10 minutes.
AUDIO_CHUNK_S = 600.0

# progress(stage, path, done, total): stage in {"scenes", "speech", "describe"}; units are seconds for
# scenes/speech and clips for describe.
ProgressFn = Callable[[str, str, float, float], None]


@dataclass
class FileResult:
    path: str
    status: str  # "indexed" | "unchanged" | "failed" | "interrupted"
    hash: str = ""
    clips: int = 0
    described: int = 0
    seconds: float = 0.0
    error: str = ""
    warning: str = ""  # indexed, but the user should know (a truncated file)
    #: clips whose describer reported an error: stored without a caption, described again next run
    failed_clips: int = 0


@dataclass
class IndexReport:
    files: list[FileResult] = field(default_factory=list)
    elapsed: float = 0.0
    interrupted: bool = False
    #: why the run stopped early for every file (disk full), one line; committed work is kept
    stopped: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> dict[str, Any]:
        ok = [f for f in self.files if f.status != "failed"]
        return {
            "videos": len(ok),
            "failed": len(self.failed),
            "clips": sum(f.clips for f in ok),
            "described": sum(f.described for f in ok),
            "failed_descriptions": sum(f.failed_clips for f in ok),
            "seconds_of_video": round(sum(f.seconds for f in ok), 1),
            "elapsed_s": round(self.elapsed, 2),
            "interrupted": self.interrupted,
            "stopped": self.stopped,
        }


@dataclass
class Plan:
    """What `index` will do for one video, before any model runs (used by caption --dry-run too)."""

    info: VideoInfo
    clips: list[Clip]
    plan_key: str
    todo: list[Clip]


class Indexer:
    """Runs the stages for many videos against one store with one set of settings."""

    def __init__(self, store: Store, settings: Settings, progress: ProgressFn | None = None,
                 describer: str | None = None, prompt: str | None = None,
                 prompt_vars: dict[str, Any] | None = None, activate: bool = True) -> None:
        self.store = store
        self.settings = settings
        self.progress = progress or (lambda *a: None)
        self.describer_name = describer or settings.describe.describer
        self.prompt_name = prompt or settings.describe.prompt
        self.prompt_vars = prompt_vars or {}
        # `index` makes its describer the one search reads; `caption` with another prompt does not.
        self.activate = activate
        #: set by the first Ctrl-C: the run stops after the batch in flight is committed
        self.stop_requested = False
        self._new_video: str | None = None
        self._current: FileResult | None = None  # the file in flight (counted if the run stops)
        self._describer: Describer | None = None
        self._loaded = False
        self._prompt: tuple[str | None, str | None] | None = None
        self._describer_key: str | None = None
        self.failed_clips = 0

    # -- lazily built, once per run ---------------------------------------------------------------
    @property
    def describer(self) -> Describer:
        if self._describer is None:
            try:
                self._describer = get_describer(self.describer_name, self.settings.describe)
            except (MissingDependency, DescriberUnavailable):
                raise
            except Exception as exc:
                raise DescriberUnavailable(_about(self.describer_name, one_line(exc))) from None
        return self._describer

    def _ensure_loaded(self) -> None:
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
            raise DescriberUnavailable(_about(self.describer_name, f"cannot load: {one_line(exc)}")) from None
        self._loaded = True

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

    def describer_key(self) -> str:
        """The descriptions' content key, computed once per run before any model loads: plan, activation
        and storage all use this one value (a key that changed on loading made indexed clips unfindable)."""
        if self._describer_key is None:
            d = self.describer
            cfg = self.settings.describe.model_dump(exclude={"batch_size", "describer", "prompt"})
            try:
                settings_key = d.settings_key()
            except (MissingDependency, DescriberUnavailable):
                raise
            except Exception as exc:  # e.g. device: cuda without a GPU: the same for every file
                if debug():
                    raise
                raise DescriberUnavailable(_about(self.describer_name, one_line(exc))) from None
            parts: list[Any] = [settings_key, self.prompt()[1], d.frames_per_clip, cfg, self.prompt_vars]
            if self.settings.embed.visual:  # a CLIP space is stored with the descriptions
                parts.append({"visual": self.settings.embed.visual,
                              "visual_model": self.settings.embed.visual_model})
            self._describer_key = stage_key("describe", *parts)
        return self._describer_key

    # -- stages -----------------------------------------------------------------------------------
    def probe(self, path: str) -> VideoInfo:
        file_hash = self.store.cached_hash(path) or vmod.content_hash(path)
        info = vmod.probe(path, file_hash=file_hash)
        # The file at this path was re-encoded, trimmed or replaced: what was indexed from its old
        # content would cite times in a video that no longer exists there, so it goes.
        for old in self.store.superseded(path, info.hash):
            log.info("%s changed since it was indexed: dropping the old content's clips", path)
            self.store.forget_video(old)
        self.store.upsert_video(info)
        self.store.remember_path(path, info.hash)
        return info

    def plan(self, info: VideoInfo) -> Plan:
        cfg = self.settings
        scenes_key = stage_key("scenes", info.hash, cfg.scenes)
        scenes = self.store.get_scenes(scenes_key)
        if scenes is None:
            t0 = time.perf_counter()
            scenes = detect_scenes(info, cfg.scenes, lambda t: self._tick("scenes", info.path, t, info.duration))
            self.progress("scenes", info.path, info.duration, info.duration)
            self.store.put_scenes(scenes_key, info.hash, cfg.scenes.detector, cfg.scenes.model_dump(), scenes,
                                  time.perf_counter() - t0)
        plan_key = stage_key("clips", scenes_key, cfg.clips)
        clips = self.store.get_clips(plan_key)
        if clips is None:
            clips = plan_clips(info.hash, scenes, cfg.clips, info.duration)
            self.store.put_clips(plan_key, clips)
        done = self.store.described(self.describer_key(), [c.id for c in clips])
        return Plan(info, clips, plan_key, [c for c in clips if c.id not in done])

    def _tick(self, stage: str, path: str, done: float, total: float) -> None:
        self.progress(stage, path, done, total)
        if self.stop_requested:
            raise Interrupted()

    def speech(self, info: VideoInfo) -> list[Segment]:
        """The video's transcript, computed once per (content, speech model) and sliced per clip later."""
        if not (self.describer.needs_speech and self.settings.describe.speech and info.has_audio):
            return []
        from .perception.speech import Transcriber

        tr = Transcriber.shared()
        key = stage_key("speech", info.hash, tr.model_id)
        segs = self.store.get_transcript(key)
        if segs is None:
            self.progress("speech", info.path, 0, info.duration)
            segs = []
            for offset, chunk in vmod.iter_audio(info.path, 16000, chunk_s=AUDIO_CHUNK_S):
                segs.extend(tr.transcribe(chunk, offset=offset))
            self.store.put_transcript(key, info.hash, tr.model_id, segs)
            self.progress("speech", info.path, info.duration, info.duration)
        return segs

    def _inputs(self, plan: Plan, batch: Sequence[Clip], speech: Sequence[Segment]) -> list[ClipInput]:
        return read_inputs(plan.info, batch, speech, self.describer.frames_per_clip,
                           self.settings.describe.frame_width)

    def describe(self, plan: Plan, speech: Sequence[Segment]) -> int:
        """Describe the plan's new clips batch by batch, decoding batch k+1 while batch k is described."""
        from concurrent.futures import ThreadPoolExecutor

        self._ensure_loaded()
        d, info = self.describer, plan.info
        text, prompt_ref = self.prompt()
        dkey = self.describer_key()
        size = self.settings.describe.batch_size
        batches = [plan.todo[b:b + size] for b in range(0, len(plan.todo), size)]
        done = 0
        self.failed_clips = 0
        self.progress("describe", info.path, 0, len(plan.todo))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidagent-frames") as pool:
            ahead = pool.submit(self._inputs, plan, batches[0], speech) if batches else None
            for k, batch in enumerate(batches):
                assert ahead is not None
                items = ahead.result()
                ahead = pool.submit(self._inputs, plan, batches[k + 1], speech) if k + 1 < len(batches) else None
                descs = d.describe_batch(items, text)
                if len(descs) != len(items):
                    raise VidagentError(f"describer '{d.name}' returned {len(descs)} results for {len(items)} clips")
                vectors = self._vectors(descs)
                if self.settings.embed.visual:
                    _add_clip_vectors(self.settings, items, vectors)
                self.store.put_descriptions(info.hash, dkey, d.name, d.model_id, prompt_ref,
                                            list(zip(batch, descs, strict=True)), vectors)
                self.failed_clips += sum(1 for x in descs if "error" in x.extra)
                done += len(batch)
                if self._current is not None:
                    self._current.described = done
                self.progress("describe", info.path, done, len(plan.todo))
                if self.stop_requested and k + 1 < len(batches):  # after the last batch: nothing to stop
                    if ahead is not None:
                        ahead.cancel()
                    raise Interrupted()
        return done

    def _vectors(self, descs: Sequence[Description]) -> list[dict[str, Any]]:
        emb = self.embedder
        texts = [x.caption or " " for x in descs]
        caps = emb.embed_batch(texts)
        out = []
        for desc, cap in zip(descs, caps, strict=True):
            if "error" in desc.extra:
                out.append({})  # a failed description is retried next run; nothing of it is searchable
                continue
            vecs: dict[str, Any] = {f"text:{emb.name}": (cap, emb.model_id)}
            for key, v in desc.vectors.items():
                # "visual" vectors are built in the text embedder's space (queries can match them);
                # any other vector lives in its model's own space, for clip-to-clip similarity.
                # Named visual signals ("visual.people", ...) are text-space vectors too.
                text_space = key == "visual" or key.startswith("visual.")
                space = f"{key}:{emb.name}" if text_space else f"{key}:{self.describer.model_id}"
                vecs[space] = (v, self.describer.model_id)
            out.append(vecs)
        return out

    # -- the whole job ----------------------------------------------------------------------------
    def index_file(self, path: str) -> FileResult:
        info = self.probe(path)
        # A file new to the store that fails part-way leaves nothing behind (see run()).
        self._new_video = None if self.store.has_descriptions(info.hash) else info.hash
        # A new video: transcribe its audio while scene detection decodes the frames (the two use
        # different streams and both release the GIL), instead of one after the other.
        speech_job = None
        if self._new_video and self.describer.needs_speech and info.has_audio:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidagent-speech")
            speech_job = pool.submit(self.speech, info)
            pool.shutdown(wait=False)
        try:
            plan = self.plan(info)
        except BaseException:
            if speech_job is not None:
                speech_job.cancel()
                _wait_quietly(speech_job)
            raise
        if self.activate:
            self.store.set_active(info.hash, plan.plan_key, self.describer_key())
            self.store.remember_describer(self.describer_key(), self.settings.describe.model_dump(mode="json"))
        result = FileResult(path, "unchanged", info.hash, len(plan.clips), 0, info.duration)
        if info.truncated:
            result.warning = (f"{path}: truncated: the header says {info.header_duration:.1f} s but only "
                              f"{info.duration:.1f} s decode; indexed what decodes")
        self._current = result
        if plan.todo:
            speech = speech_job.result() if speech_job is not None else self.speech(info)
            result.described = self.describe(plan, speech)
            result.failed_clips = self.failed_clips
            result.status = "indexed"
        elif speech_job is not None:
            _wait_quietly(speech_job)
        return result

    def run(self, paths: Sequence[str], on_file: Callable[[FileResult], None] | None = None) -> IndexReport:
        t0 = time.perf_counter()
        report = IndexReport()
        files, missing = vmod.find_videos(paths)
        for p, why in missing:
            report.files.append(FileResult(p, "failed", error=f"{p}: {why}"))
            if on_file:
                on_file(report.files[-1])
        try:
            with _graceful_sigint(self):
                for path in files:
                    if self.stop_requested:
                        raise Interrupted()
                    self._new_video = None
                    self._current = None
                    try:
                        res = self.index_file(path)
                    except BadVideo as exc:
                        res = FileResult(path, "failed", error=str(exc))
                    except VidagentError as exc:
                        if isinstance(exc, (MissingDependency, DescriberUnavailable)):
                            raise  # the same for every file: stop with one line
                        res = FileResult(path, "failed", error=f"{path}: {one_line(exc)}")
                    except Exception as exc:  # any other failure is this file's, the batch goes on
                        if debug() or isinstance(exc, ImportError):
                            raise
                        if isinstance(ordinary(exc), DiskFull):
                            # The same for every file: stop, keeping every committed batch (even a new
                            # file's: the re-run continues it), and let the caller print the summary.
                            where = "" if getattr(exc, "filename", None) else f"{self.store.root}: "
                            report.stopped = where + one_line(ordinary(exc) or exc)
                            if self._current is not None:
                                self._current.status = "interrupted"
                                report.files.append(self._current)
                            break
                        log.debug("failed on %s", path, exc_info=True)
                        res = FileResult(path, "failed", error=f"{path}: {one_line(exc)}")
                    if res.status == "failed" and self._new_video:
                        self.store.forget_video(self._new_video)
                    report.files.append(res)
                    if on_file:
                        on_file(res)
        except (KeyboardInterrupt, Interrupted):
            report.interrupted = True
            cur = self._current
            if cur is not None and all(f is not cur for f in report.files):
                cur.status = "interrupted"  # its committed batches count in the summary
                report.files.append(cur)
        finally:
            try:
                self.store.save_indexes()
            except Exception as exc:
                if not isinstance(ordinary(exc), DiskFull):
                    raise
                report.notes.append("vector index files not saved (disk full): they are rebuilt from the "
                                    "database on next use")
            report.elapsed = time.perf_counter() - t0
        return report


class Interrupted(BaseException):
    """Raised between batches after a Ctrl-C: everything committed so far stays. A BaseException, so
    per-file error handling (which discards a new file's partial rows) never catches it."""


@contextmanager
def _graceful_sigint(indexer: Indexer) -> Iterator[None]:
    """First Ctrl-C: finish and commit the batch in flight, then stop. Second Ctrl-C: stop now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if indexer.stop_requested:
            raise KeyboardInterrupt
        indexer.stop_requested = True
        print("vidagent: stopping after the current batch (Ctrl-C again to stop now)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _add_clip_vectors(settings: Settings, items: Sequence[ClipInput], vectors: list[dict[str, Any]]) -> None:
    """`embed.visual: clip`: each clip's keyframes in the CLIP-family model's image-text space."""
    from .signals.clip import ClipEmbedder

    model = ClipEmbedder.shared(settings.embed.visual_model)
    for vecs, v in zip(vectors, model.clip_vectors([[f.image for f in it.frames] for it in items]), strict=True):
        if v is not None:
            vecs[model.space] = (v, settings.embed.visual_model)


def _about(name: str, message: str) -> str:
    """Prefix a message with the describer's name unless it already names it."""
    return message if message.startswith(f"describer '{name}'") else f"describer '{name}': {message}"


def _wait_quietly(job: Any) -> None:
    try:
        job.result()
    except BaseException:  # the main path's error is the one to report
        pass


def _nearest(ordered: list[float], t: float) -> float:
    import bisect

    i = bisect.bisect_left(ordered, t - 1e-3)
    return ordered[min(i, len(ordered) - 1)]


def speech_between(segments: Sequence[Segment], start: float, end: float) -> list[Segment]:
    """The transcript segments overlapping [start, end) (pure)."""
    return [s for s in segments if s.end > start and s.start < end]


def read_inputs(info: VideoInfo, clips: Sequence[Clip], speech: Sequence[Segment], frames_per_clip: int | None,
                width: int) -> list[ClipInput]:
    """What a describer sees for some clips of one video: frames decoded in one pass (its own count
    uniformly over each clip, else the planned keyframes) and the speech inside each clip."""
    wanted = {c.id: (uniform_times(c, frames_per_clip) if frames_per_clip else c.keyframes) for c in clips}
    frames = vmod.frames_at(info.path, [t for ts in wanted.values() for t in ts], width=width)
    by_time = {f.time: f for f in frames}
    ordered = sorted(by_time)
    return [ClipInput(clip=c, video=info, frames=[by_time[_nearest(ordered, t)] for t in wanted[c.id]],
                      speech=speech_between(speech, c.start, c.end)) for c in clips]


def clip_input(store: Store, settings: Settings, clip_id: str, describer: Describer | None = None) -> ClipInput:
    """Rebuild what a describer saw for one stored clip (frames + speech + stored description), to
    re-query it later (the agent's `inspect_clip`)."""
    rows = store.active_rows(clip_ids=[clip_id])
    if not rows:
        raise VidagentError(f"unknown clip id '{clip_id}'")
    row = rows[0]
    clips = [c for c in (store.get_clips(_plan_key_of(store, row["video_hash"])) or []) if c.id == clip_id]
    if not clips:
        raise VidagentError(f"clip '{clip_id}' is not in its video's current plan")
    info = store.video_info(row["video_hash"])
    transcripts = store.transcripts_of(info.hash)
    n = describer.frames_per_clip if describer is not None else None
    item = read_inputs(info, clips, transcripts[0] if transcripts else [], n, settings.describe.frame_width)[0]
    item.stored = Description(caption=row["caption"], tags=[(t, float(p)) for t, p in row["tag_scores"]],
                              ocr=list(row["ocr"]), transcript=row["transcript"],
                              frame_times=list(row["frame_times"]))
    return item


def _plan_key_of(store: Store, video_hash: str) -> str:
    row = store.find_video(video_hash)
    if row is None or row.plan_key is None:
        raise VidagentError(f"video {video_hash} has no indexed clips")
    return row.plan_key
