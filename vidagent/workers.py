"""`vidagent index --workers N`: the local executor's own per-file work in N local processes.

    driver --paths (largest first)--> N worker processes, each one Indexer (models loaded once)
           <--progress, results------  each file: probe, scenes, clips, speech, describe, embed

Why processes: a library of small files is dominated by per-file stages that run one after the other
(decode a few seconds, describe a few clips) and by Python work that holds the GIL; N processes keep
both cores busy where one process's threads cannot. Each worker runs `Indexer.index_file`, so a worker
and a serial run store the same rows under the same content keys (re-runs do only new work either
way); workers write to the store themselves (content-keyed rows, SQLite's busy timeout serialises the
commits) and the driver builds the vector index files once at the end, as the Ray executor does.

A bad file fails alone (on its own line); an error that would repeat for every file (a missing
dependency, a describer that cannot load, a full disk) stops the run; a worker that dies (killed, out
of memory) fails its file only and is replaced. Ctrl-C: the driver passes it to every worker; each
commits the batch in flight and stops (its file reported "interrupted"), the driver waits for them; a
second Ctrl-C stops at once. Threads per worker: the machine's cores shared out (VIDAGENT_THREADS).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import pickle
import queue
import signal
from collections.abc import Callable, Sequence
from typing import Any

from .errors import VidagentError, one_line
from .pipeline import FileResult, Indexer, IndexReport, Interrupted, ProgressFn, _Stopped
from .ray_executor import Job, classify

log = logging.getLogger("vidagent")

_POLL_S = 0.2


def _serve(job: Job, tasks: Any, results: Any, threads: int) -> None:
    """Worker body: one Indexer for many files; messages are (kind, worker pid, payload...)."""
    os.environ["VIDAGENT_THREADS"] = str(threads)
    os.environ.setdefault("VIDAGENT_TORCH_THREADS", str(threads))
    me = os.getpid()
    ix: Indexer | None = None

    def on_sigint(signum: int, frame: Any) -> None:
        if ix is None or ix.stop_requested:
            raise KeyboardInterrupt
        ix.stop_requested = True  # commit the batch in flight, then stop (Indexer raises Interrupted)

    signal.signal(signal.SIGINT, on_sigint)
    os.setpgrp()  # a terminal's Ctrl-C reaches the driver only, which passes each one on once
    parent = os.getppid()
    try:
        ix = job.indexer()
        ix.lookahead = 0
        ix.progress = lambda stage, path, done, total: results.put(("progress", me, stage, path, done, total))
        while not ix.stop_requested and os.getppid() == parent:  # an orphan (driver killed) stops
            try:
                path = tasks.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if path is None:
                break
            results.put(("start", me, path))
            try:
                res = ix.index_file(path)
            except Interrupted as exc:
                results.put(("interrupted", me, path, exc.partial))
                break
            except _Stopped as exc:  # disk full: the same for every file
                results.put(("stopped", me, path, exc.reason, exc.partial))
                break
            except BaseException as exc:  # noqa: BLE001  # classified as the serial run does
                try:
                    res = classify(path, exc)
                except BaseException as fatal:  # noqa: BLE001
                    results.put(("fatal", me, path, _picklable(fatal)))
                    break
            results.put(("done", me, path, res))
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # noqa: BLE001  # a describer that cannot load, etc.
        results.put(("fatal", me, None, _picklable(exc)))
    finally:
        if ix is not None:
            ix.store.engine.dispose()
        results.put(("exit", me))


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        return VidagentError(one_line(exc))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def run(
    paths: Sequence[str],
    job: Job,
    workers: int,
    progress: ProgressFn | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IndexReport:
    """Index `paths` with `workers` local processes; the same report as `Indexer.run` (files in the
    order they were found). The caller holds the store's writer lock and saves the vector indexes."""
    progress = progress or (lambda *a: None)
    report, files = IndexReport.of_paths(paths, on_file)
    if not files:
        return report.finish()
    try:
        pickle.dumps(job)
    except Exception as exc:
        raise VidagentError(f"--workers needs a describer given by name ({one_line(exc)})") from None
    n = max(1, min(workers, len(files)))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = max(1, cores // n)
    ctx = mp.get_context("spawn")  # fresh interpreters: no forked locks, threads or open databases
    tasks, results = ctx.Queue(), ctx.Queue()
    for p in sorted(files, key=_size, reverse=True):  # largest first: the long ones do not finish last
        tasks.put(p)
    procs: dict[int, Any] = {}
    in_flight: dict[int, str] = {}
    done: dict[str, FileResult] = {}
    fatal: BaseException | None = None
    stopping = False

    def spawn() -> None:
        proc = ctx.Process(target=_serve, args=(job, tasks, results, threads), name="vidagent-worker", daemon=True)
        proc.start()
        assert proc.pid is not None
        procs[proc.pid] = proc

    def finish(res: FileResult) -> None:
        done[res.path] = res
        progress("files", "all files", len(done), len(files))
        if on_file:
            on_file(res)

    def stop_all() -> None:
        nonlocal stopping
        stopping = True
        for _ in procs:
            tasks.put(None)

    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: Any) -> None:
        for pid in procs:  # first: each worker commits its batch in flight and stops; second: now
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass
        if report.interrupted:
            raise KeyboardInterrupt
        report.interrupted = True
        log.warning("stopping after the current batches (Ctrl-C again to stop now)")

    in_main = _in_main_thread()
    if in_main:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        for _ in range(n):
            spawn()
        for _ in range(n):
            tasks.put(None)  # one end-of-work mark per worker, after every path
        while procs:
            try:
                msg = results.get(timeout=_POLL_S)
            except queue.Empty:
                _reap(procs, in_flight, finish, spawn, stopping or report.interrupted, tasks)
                continue
            kind, pid = msg[0], msg[1]
            if kind == "progress":
                progress(*msg[2:])
            elif kind == "start":
                in_flight[pid] = msg[2]
            elif kind == "done":
                in_flight.pop(pid, None)
                finish(msg[3])
            elif kind == "interrupted":
                in_flight.pop(pid, None)
                report.interrupted = True
                if msg[3] is not None:
                    report.files.append(msg[3])
            elif kind == "stopped":
                in_flight.pop(pid, None)
                report.stopped = report.stopped or msg[3]
                if msg[4] is not None:
                    report.files.append(msg[4])
                if not stopping:
                    stop_all()
            elif kind == "fatal":
                in_flight.pop(pid, None)
                fatal = fatal or msg[3]
                if not stopping:
                    stop_all()
            elif kind == "exit":
                proc = procs.pop(pid, None)
                if proc is not None:
                    proc.join(5)
    except KeyboardInterrupt:  # the second Ctrl-C: stop now
        report.interrupted = True
    finally:
        for proc in procs.values():
            if proc.is_alive():
                proc.terminate()
            proc.join(5)
        if in_main:
            signal.signal(signal.SIGINT, previous)
        tasks.cancel_join_thread()
        results.cancel_join_thread()
    if not (report.interrupted or report.stopped or fatal):
        left = [p for p in files if p not in done]  # every worker died before taking them
        for p in left:
            finish(FileResult(p, "failed", error=f"{p}: not indexed: the worker processes exited"))
    order = {p: i for i, p in enumerate(files)}
    report.files.extend(sorted(done.values(), key=lambda r: order.get(r.path, len(order))))
    report.finish()
    if fatal is not None:
        raise fatal
    return report


def _reap(
    procs: dict[int, Any],
    in_flight: dict[int, str],
    finish: Callable[[FileResult], None],
    spawn: Callable[[], None],
    stopping: bool,
    tasks: Any,
) -> None:
    """A worker that died without saying so (killed, out of memory) fails its file only; a replacement
    takes the remaining files (the dead worker's end-of-work mark is put back for it)."""
    for pid, proc in list(procs.items()):
        if proc.is_alive():
            continue
        procs.pop(pid)
        path = in_flight.pop(pid, None)
        if path is not None:
            finish(FileResult(path, "failed", error=f"{path}: worker died (exit code {proc.exitcode})"))
            if not stopping:
                spawn()


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
