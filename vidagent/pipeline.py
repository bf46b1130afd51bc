"""The executor: the one place that does I/O and model work, stage by stage, per video, in batches.

    video --probe/hash--> VideoInfo --scenes--> [Scene] --clips (pure)--> [Clip]
          --audio once--> [Segment] --describe (batched)--> [Description] --embed--> store

Each stage's output is looked up by its content key before it is computed, so a re-run does only new
work: same file (even moved or renamed) -> nothing; new describer -> only descriptions; new detector -> scenes on.
A bad file is reported on one line and the batch goes on; an interrupt loses at most the batch in flight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from . import lookahead, stages
from .binding import DescriberBinding
from .config import Settings, stage_key
from .describe import Describer, Embedder
from .errors import (
    BadVideo,
    ConfigError,
    DescriberUnavailable,
    DiskFull,
    MissingDependency,
    VidagentError,
    debug,
    one_line,
    ordinary,
)
from .inputs import clip_input, keyframe_capture, read_inputs, speech_between
from .interrupts import graceful_sigint, wait_quietly
from .lookahead import SceneLookahead
from .report import FileResult, IndexReport, Interrupted, _partial, _Stopped
from .scenes import detect_scenes
from .stages import AUDIO_CHUNK_S, ProgressFn
from .store import Store
from .streaming import Batches, FixedBatches, ShotStream, StreamBatches
from .types import Clip, ClipInput, Segment, VideoInfo

log = logging.getLogger(__name__)

# Re-exported for callers written when these lived here (they are describe-level: vidagent.inputs).
__all__ = [
    "AUDIO_CHUNK_S",
    "FileResult",
    "Hooks",
    "IndexReport",
    "Indexer",
    "Interrupted",
    "Plan",
    "ProgressFn",
    "clip_input",
    "read_inputs",
    "speech_between",
]
_wait_quietly = wait_quietly  # the name tests and callers knew


@dataclass
class Plan:
    """What `index` will do for one video, before any model runs (used by caption --dry-run too)."""

    info: VideoInfo
    clips: list[Clip]
    plan_key: str
    todo: list[Clip]


@dataclass
class Hooks:
    """Observers of a run, for callers that need more than the report (`caption` keeps each video's
    plan and times describe batches). Hooks observe; they do not change what is computed."""

    #: after a video's clips are planned (before anything is described)
    on_plan: Callable[[Plan], None] | None = None
    #: after each describe batch is committed: (plan, clips in the batch, seconds the batch took)
    on_batch: Callable[[Plan, int, float], None] | None = None


class Indexer:
    """Runs the stages for many videos against one store with one describer binding and settings."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        progress: ProgressFn | None = None,
        describer: str | Describer | None = None,
        prompt: str | None = None,
        prompt_vars: dict[str, Any] | None = None,
        activate: bool = True,
        hooks: Hooks | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.progress: ProgressFn = progress or (lambda *a: None)
        self.binding = DescriberBinding(settings, describer, prompt, prompt_vars)
        # `index` makes its describer the one search reads; `caption` with another prompt does not.
        self.activate = activate
        self.hooks = hooks or Hooks()
        #: set by the first Ctrl-C: the run stops after the batch in flight is committed
        self.stop_requested = False
        #: videos whose scenes are detected in a thread while the current one is described (0: off)
        self.lookahead = 1
        #: describe a video's first clips while its later cuts are detected (streaming.py)
        self.stream = True
        self._provisional = ""  # the provisional plan of the video streaming now
        self._kept: Any = None  # the keyframes its scene pass kept (`video/capture.py`), or None
        self._ahead: SceneLookahead | None = None
        self._upcoming: Sequence[str] = ()

    # -- the binding, under the names callers know ------------------------------------------------
    @property
    def describer_name(self) -> str:
        return self.binding.name

    @property
    def describer(self) -> Describer:
        return self.binding.describer

    @property
    def embedder(self) -> Embedder:
        return self.binding.embedder

    def prompt(self) -> tuple[str | None, str | None]:
        return self.binding.prompt()

    def describer_key(self) -> str:
        return self.binding.key()

    # -- stages -----------------------------------------------------------------------------------
    def probe(self, path: str) -> VideoInfo:
        return stages.probe(self.store, path)

    def plan(self, info: VideoInfo) -> Plan:
        def tick(t: float) -> None:
            self._tick("scenes", info.path, t, info.duration)

        cfg = self.settings.scenes
        if lookahead.adopt(self._ahead, self.store, info, cfg):  # detected while the last video was described
            self.progress("scenes", info.path, info.duration, info.duration)
        scenes_key, found = stages.scenes(self.store, info, cfg, tick)
        plan_key, clips = stages.clips(self.store, info, scenes_key, found, self.settings)
        done = self.store.described(self.describer_key(), [c.id for c in clips])
        plan = Plan(info, clips, plan_key, [c for c in clips if c.id not in done])
        if self.hooks.on_plan:
            self.hooks.on_plan(plan)
        return plan

    def _tick(self, stage: str, path: str, done: float, total: float) -> None:
        self.progress(stage, path, done, total)
        if self.stop_requested:
            raise Interrupted()

    def speech(self, info: VideoInfo) -> list[Segment]:
        """The transcript the describer gets ([] when it takes none or the video has no audio)."""
        if not self.binding.wants_speech(info):
            return []
        return stages.transcript(self.store, info, self.progress)

    def describe(self, plan: Plan, speech: Sequence[Segment], result: FileResult | None = None, before: int = 0) -> int:
        """Describe the plan's new clips batch by batch, decoding batch k+1 while batch k is described.
        `result`, when given, is kept current after every committed batch (an interrupted run reports it);
        `before` counts clips of this video described earlier in the run (the progress bar)."""
        size = self.settings.describe.batch_size
        return self._describe(plan, FixedBatches(plan.todo, size, before), speech, result, before)

    def _describe(
        self, plan: Plan, source: Batches, speech: Sequence[Segment], result: FileResult | None, before: int = 0
    ) -> int:
        info = plan.info
        self.binding.load()
        d = self.describer
        text, prompt_ref = self.prompt()
        dkey = self.describer_key()
        done = before
        self.progress("describe", info.path, done, source.total(done))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidagent-frames") as pool:
            batch = source.next(block=True)
            ahead = pool.submit(self._read, info, batch, speech) if batch else None
            while batch and ahead is not None:
                t0 = time.perf_counter()
                items = ahead.result()
                nxt = source.next(block=False)  # one already known: read its frames meanwhile
                ahead = pool.submit(self._read, info, nxt, speech) if nxt else None
                descs = d.describe_batch(items, text)
                if len(descs) != len(items):
                    raise VidagentError(f"describer '{d.name}' returned {len(descs)} results for {len(items)} clips")
                vectors = self.binding.vectors(descs, items)
                self.store.put_descriptions(
                    info.hash, dkey, d.name, d.model_id, prompt_ref, list(zip(batch, descs, strict=True)), vectors
                )
                done += len(batch)
                if result is not None:
                    result.described += len(batch)
                    result.failed_clips += sum(1 for x in descs if "error" in x.extra)
                log.debug("%s: described %d/%d clips", info.path, done, source.total(done))
                self.progress("describe", info.path, done, source.total(done))
                if self.hooks.on_batch:
                    self.hooks.on_batch(plan, len(batch), time.perf_counter() - t0)
                # Stop between batches; after the last batch there is nothing to stop.
                if self.stop_requested and (nxt is not None or not source.exhausted()):
                    if ahead is not None:
                        ahead.cancel()
                    raise Interrupted()
                if nxt is None:
                    nxt = source.next(block=True)
                    if self.stop_requested and not source.exhausted():
                        raise Interrupted()
                    ahead = pool.submit(self._read, info, nxt, speech) if nxt else None
                batch = nxt
        return done - before

    def _read(self, info: VideoInfo, batch: Sequence[Clip], speech: Sequence[Segment]) -> list[ClipInput]:
        # one decode thread: describing keeps the other core busy meanwhile
        n, width = self.describer.frames_per_clip, self.settings.describe.frame_width
        items = read_inputs(info, batch, speech, n, width, one_thread=True, kept=self._kept)
        if self._kept is not None and batch:
            self._kept.release(batch[-1].end)  # clips come in time order: earlier frames are done with
        return items

    # -- the whole job ----------------------------------------------------------------------------
    def _stream(self, info: VideoInfo, speech_job: Future[list[Segment]] | None, result: FileResult) -> int:
        """When this video's scenes must be detected now, describe the clips that settle meanwhile
        (`streaming.py`) and store the scenes at the end; returns how many clips were described.
        Off for `caption` (its hook wants each plan before anything is described) and `stream = False`."""
        cfg = self.settings.scenes
        key = stage_key("scenes", info.hash, cfg)
        if not self.stream or self.hooks.on_plan is not None or self.store.get_scenes(key) is not None:
            return 0
        if lookahead.adopt(self._ahead, self.store, info, cfg):  # detected while the last video was described
            self.progress("scenes", info.path, info.duration, info.duration)
            return 0
        self._kept = keyframe_capture(self.settings, self.describer)
        stream = ShotStream(info, cfg, self.settings.clips, detect_scenes, self._kept)
        result.hash, result.seconds = info.hash, info.duration
        dkey = self.describer_key()
        # A video new to the store is searchable while it streams: its settled clips form a provisional
        # plan, replaced by the real one at the end (`_index`); one indexed before keeps its old plan.
        record = self.store.find_video(info.hash)
        self._provisional = stage_key("streaming", key, self.settings.clips)
        show = self.activate and (record is None or record.plan_key is None)
        shown = False

        def todo(clips: Sequence[Clip]) -> list[Clip]:
            nonlocal shown
            if show:
                self.store.add_clips(self._provisional, clips)
                if not shown:  # active from its first clips on
                    self.store.set_active(info.hash, self._provisional, dkey)
                    shown = True
            done = self.store.described(dkey, [c.id for c in clips])
            return [c for c in clips if c.id not in done]

        def tick() -> None:
            self.progress("scenes", info.path, stream.position, info.duration)

        try:
            speech = speech_job.result() if speech_job is not None else self.speech(info)
            source = StreamBatches(stream, self.settings.describe.batch_size, todo, lambda: self.stop_requested, tick)
            early = self._describe(Plan(info, [], "", []), source, speech, result)
            if self.stop_requested:
                raise Interrupted()
            found, seconds = stream.result()
        finally:
            stream.close()
        self.store.put_scenes(key, info.hash, cfg.detector, cfg.model_dump(), found, seconds)
        log.info(
            "%s: %d shots (%s) in %.1f s, %d clips described meanwhile",
            info.path,
            len(found),
            cfg.detector,
            seconds,
            early,
        )
        tick()
        return early

    def _index(self, info: VideoInfo, new: bool, result: FileResult) -> None:
        """Plan and describe one probed video, filling in `result` as work is committed."""
        # A new video: transcribe its audio while scene detection decodes the frames (the two use
        # different streams and both release the GIL), instead of one after the other.
        speech_job: Future[list[Segment]] | None = None
        if new and self.binding.wants_speech(info):
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidagent-speech")
            speech_job = pool.submit(self.speech, info)
            pool.shutdown(wait=False)
        try:
            try:
                early = self._stream(info, speech_job, result)
                plan = self.plan(info)
            except BaseException:
                if speech_job is not None:
                    speech_job.cancel()
                    wait_quietly(speech_job)
                raise
            self._finish(info, plan, early, speech_job, result)
        finally:
            if self._kept is not None:
                log.debug("%s: keyframes kept from the scene pass: %s", info.path, self._kept.stats)
                self._kept.close()
                self._kept = None

    def _finish(
        self, info: VideoInfo, plan: Plan, early: int, speech_job: Future[list[Segment]] | None, result: FileResult
    ) -> None:
        """The rest of `_index`: make the plan the video's active one, describe what streaming left."""
        if self.activate:
            self.store.set_active(info.hash, plan.plan_key, self.describer_key())
            self.store.remember_describer(self.describer_key(), self.settings.describe.model_dump(mode="json"))
        if self._provisional:
            self.store.drop_clips(self._provisional)
            self._provisional = ""
        result.hash, result.clips, result.seconds = info.hash, len(plan.clips), info.duration
        if info.truncated:
            result.warning = (
                f"{result.path}: truncated: the header says {info.header_duration:.1f} s but only "
                f"{info.duration:.1f} s decode; indexed what decodes"
            )
        lookahead.start_next(self._ahead, self.store, self.settings.scenes, self._upcoming)
        if plan.todo:
            speech = speech_job.result() if speech_job is not None else self.speech(info)
            self.describe(plan, speech, result, before=early)
            result.status = "indexed"
        elif early:
            result.status = "indexed"
        elif speech_job is not None:
            wait_quietly(speech_job)

    def index_file(self, path: str) -> FileResult:
        """Index one file. Its failure comes back as a "failed" result and the batch goes on; a file
        new to the store that fails part-way leaves nothing behind. Errors that would repeat for every
        file (a missing dependency, a describer that cannot load, a full disk) and interrupts propagate,
        carrying the file's partial result when it had started describing."""
        new_video: str | None = None
        result = FileResult(path, "unchanged")
        try:
            info = self.probe(path)
            new_video = None if self.store.has_descriptions(info.hash) else info.hash
            self._index(info, new_video is not None, result)
            return result
        except (Interrupted, KeyboardInterrupt) as exc:
            raise Interrupted(_partial(result)) from exc
        except BadVideo as exc:
            res = FileResult(path, "failed", error=str(exc))
        except (MissingDependency, DescriberUnavailable, ConfigError):
            raise  # the same for every file: stop with one line
        except VidagentError as exc:
            res = FileResult(path, "failed", error=f"{path}: {one_line(exc)}")
        except Exception as exc:  # any other failure is this file's, the batch goes on
            if debug() or isinstance(exc, ImportError):
                raise
            full = ordinary(exc)
            if isinstance(full, DiskFull):
                # The same for every file: stop, keeping every committed batch (even a new file's: the
                # re-run continues it), and let the caller print the summary.
                where = "" if getattr(exc, "filename", None) else f"{self.store.root}: "
                raise _Stopped(where + one_line(full), _partial(result)) from exc
            log.debug("failed on %s", path, exc_info=True)
            res = FileResult(path, "failed", error=f"{path}: {one_line(exc)}")
        if new_video:
            self.store.forget_video(new_video)
        return res

    def run(self, paths: Sequence[str], on_file: Callable[[FileResult], None] | None = None) -> IndexReport:
        report, files = IndexReport.of_paths(paths, on_file)
        self._ahead = SceneLookahead(detect_scenes, self.lookahead)
        try:
            with graceful_sigint(self):
                for i, path in enumerate(files):
                    if self.stop_requested:
                        raise Interrupted()
                    self._upcoming = files[i + 1 :]
                    try:
                        res = self.index_file(path)
                    except _Stopped as stop:
                        report.stopped = stop.reason
                        report.files.extend([stop.partial] if stop.partial else [])
                        break
                    report.files.append(res)
                    if on_file:
                        on_file(res)
        except (KeyboardInterrupt, Interrupted) as exc:
            report.interrupted = True
            partial = exc.partial if isinstance(exc, Interrupted) else None
            if partial is not None:
                report.files.append(partial)  # its committed batches count in the summary
        finally:
            report.stop_asked = self.stop_requested or report.interrupted
            if self._ahead is not None:
                self._ahead.close()
                self._ahead = None
            try:
                self.store.save_indexes()
            except Exception as exc:
                if not isinstance(ordinary(exc), DiskFull):
                    raise
                report.notes.append(
                    "vector index files not saved (disk full): they are rebuilt from the database on next use"
                )
            report.finish()
        return report
