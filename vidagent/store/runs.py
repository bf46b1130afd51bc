"""Run bookkeeping in the store: `caption` runs (for time estimates) and `ask` runs (for `history`).

A mixin of `Store`, kept apart from the pipeline's tables of content.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AgentRun, Run


class RunsMixin:
    session: Callable[[], AbstractContextManager[Session]]
    _session: Callable[[], Session]

    # -- runs -------------------------------------------------------------------------------------
    def start_run(self, command: str, settings: dict[str, Any]) -> int:
        with self.session() as s:
            row = Run(command=command, settings=settings, summary={})
            s.add(row)
            s.flush()
            return int(row.id)

    def update_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        from .models import utcnow

        with self.session() as s:
            row = s.get(Run, run_id)
            if row is not None:
                row.status, row.summary = status, summary
                if status != "running":
                    row.finished = utcnow()

    def runs(self, command: str) -> list[Run]:
        with self._session() as s:
            return list(s.scalars(select(Run).where(Run.command == command).order_by(Run.id)))

    # -- agent history ------------------------------------------------------------------------------
    def add_agent_run(self, **fields: Any) -> int:
        """Store one `ask` (question, answer, mode, citations, steps, elapsed_s, error); returns its id."""
        with self.session() as s:
            row = AgentRun(**fields)
            s.add(row)
            s.flush()
            return int(row.id)

    def agent_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent `ask` runs, newest first, as JSON-able dicts."""
        with self._session() as s:
            rows = list(s.scalars(select(AgentRun).order_by(AgentRun.id.desc()).limit(limit)))
        return [{"id": r.id, "created": r.created.isoformat(timespec="seconds"), "question": r.question,
                 "answer": r.answer, "mode": r.mode, "citations": r.citations, "steps": r.steps,
                 "elapsed_s": r.elapsed_s, "error": r.error} for r in rows]
