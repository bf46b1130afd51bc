"""The Ray executor: the same stages as the local executor, spread over a Ray cluster.

    files --probe + scenes + clip plan (CPU tasks, one per file)--> plans in the store
          --speech + describe + embed (actor pool: models loaded once per actor)--> rows in the store

Every stage runs the local executor's own stage code (`Indexer.probe/plan/index_file`, which call
the stage functions in stages.py with the describer binding of binding.py) against the shared store, so its outputs carry the same content keys: a Ray run and a local run give the same
rows, and a re-run on either does only new work. Workers write their batches straight to the store
(content-keyed rows: two writers of the same clip cannot double it, see Store.put_descriptions); the
driver builds the FAISS shards once at the end. A failing file is reported on one line as locally and
the run goes on; a describer that cannot load stops the run. Only this module imports Ray, and only
when `--executor ray` is asked for.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Settings
from .describe import Describer
from .errors import BadVideo, DescriberUnavailable, MissingDependency, VidagentError, debug, one_line, require
from .pipeline import FileResult, Indexer, IndexReport, ProgressFn

log = logging.getLogger("vidagent")


@dataclass(frozen=True)
class Job:
    """What a worker needs to rebuild the driver's Indexer: plain, picklable values."""

    root: str
    url: str | None
    settings: Settings
    describer: str | Describer | None
    prompt: str | None
    prompt_vars: dict[str, Any]
    activate: bool

    def indexer(self) -> Indexer:
        from .store import Store

        store = Store(self.root, url=self.url)
        return Indexer(
            store,
            self.settings,
            describer=self.describer,
            prompt=self.prompt,
            prompt_vars=self.prompt_vars,
            activate=self.activate,
        )


def classify(path: str, exc: BaseException) -> FileResult:
    """A file's failure as the local executor reports it; errors that are every file's re-raise."""
    if isinstance(exc, (MissingDependency, DescriberUnavailable)):
        raise exc
    if isinstance(exc, BadVideo):
        return FileResult(path, "failed", error=str(exc))
    if isinstance(exc, VidagentError):
        return FileResult(path, "failed", error=f"{path}: {one_line(exc)}")
    if debug() or isinstance(exc, ImportError) or not isinstance(exc, Exception):
        raise exc
    return FileResult(path, "failed", error=f"{path}: {one_line(exc)}")


def plan_file(job: Job, path: str) -> tuple[str, FileResult | None]:
    """CPU stage: probe, scenes, clip plan (stored under their keys). (path, failure or None)."""
    ix = job.indexer()
    try:
        info = ix.probe(path)
        new = not ix.store.has_descriptions(info.hash)
        try:
            ix.plan(info)
        except BaseException:
            if new:
                ix.store.forget_video(info.hash)
            raise
        return path, None
    except BaseException as exc:
        return path, classify(path, exc)
    finally:
        ix.store.engine.dispose()


class DescribeWorker:
    """Actor body: one Indexer (describer, embedder, speech model loaded once) for many files."""

    def __init__(self, job: Job) -> None:
        self.ix = job.indexer()

    def index(self, path: str) -> FileResult:
        """One file through the local executor's index_file (a new file that fails leaves nothing; it
        reports the file's own failures itself); what it raises is classified like locally."""
        try:
            return self.ix.index_file(path)
        except BaseException as exc:
            return classify(path, exc)


def _wants_gpu(settings: Settings) -> bool:
    device = str(settings.describe.options.get("device", ""))
    return device.startswith("cuda")


def run(
    paths: Sequence[str],
    root: str | os.PathLike[str],
    url: str | None,
    settings: Settings,
    describer: str | Describer | None = None,
    prompt: str | None = None,
    prompt_vars: dict[str, Any] | None = None,
    activate: bool = True,
    address: str | None = None,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IndexReport:
    """Index `paths` on a Ray cluster (`address`: None starts a local one, "auto" or ray://host:port
    joins one) with `workers` describer actors; returns the same report as the local executor."""
    ray = require("ray", "ray")
    progress = progress or (lambda *a: None)
    report, files = IndexReport.of_paths(paths, on_file)
    if not files:
        return report.finish()
    if not ray.is_initialized():
        env = {k: v for k, v in os.environ.items() if k.startswith("VIDAGENT_")}
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            runtime_env={"env_vars": env} if env else None,
        )
    job = Job(str(Path(root).resolve()), url, settings, describer, prompt, prompt_vars or {}, activate)
    cpus = float(ray.cluster_resources().get("CPU", 1.0))
    n = max(1, min(workers or max(1, int(cpus) - 1), len(files)))
    # Actors hold their share for their lifetime: leave at least one CPU to the planning tasks.
    actor_cpus = max(0.1, min(1.0, (cpus - 1.0) / n)) if cpus > 1 else 0.1
    actor_cls = ray.remote(num_cpus=actor_cpus, num_gpus=1 if _wants_gpu(settings) else 0)(DescribeWorker)
    plan_task = ray.remote(num_cpus=1, max_retries=0)(plan_file)
    actors = [actor_cls.remote(job) for _ in range(n)]
    idle = list(actors)
    planning = [plan_task.remote(job, p) for p in files]
    ready: list[str] = []
    describing: dict[Any, tuple[Any, str]] = {}
    done_files, clips = 0, 0

    def finish(res: FileResult) -> None:
        nonlocal done_files, clips
        done_files += 1
        clips += res.clips
        report.files.append(res)
        progress("files", "all files", done_files, len(files))
        if on_file:
            on_file(res)

    try:
        while planning or ready or describing:
            while ready and idle:
                actor, path = idle.pop(), ready.pop(0)
                describing[actor.index.remote(path)] = (actor, path)
            waiting = planning + list(describing)
            finished, _ = ray.wait(waiting, num_returns=1)
            ref = finished[0]
            if ref in describing:
                actor, path = describing.pop(ref)
                res, alive = _get(ray, ref, path)
                if not alive:  # replace a dead worker; its file is reported failed
                    actors.remove(actor)
                    actor = actor_cls.remote(job)
                    actors.append(actor)
                idle.append(actor)
                finish(res)
            else:
                planning.remove(ref)
                path, failure = ray.get(ref)
                if failure is None:
                    ready.append(path)
                else:
                    finish(failure)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        for ref in planning + list(describing):
            ray.cancel(ref, force=True)
        for a in actors:
            ray.kill(a)
        report.finish()
    return report


def _get(ray: Any, ref: Any, path: str) -> tuple[FileResult, bool]:
    """(an actor's result, whether the actor lives): one that died (out of memory, lost node) fails
    its file only."""
    try:
        return ray.get(ref), True
    except ray.exceptions.RayActorError as exc:
        return FileResult(path, "failed", error=f"{path}: worker died: {one_line(exc)}"), False
    except ray.exceptions.RayTaskError as exc:
        return classify(path, exc.as_instanceof_cause()), True
