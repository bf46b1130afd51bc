"""Run bookkeeping: `caption` runs (for time estimates) and `ask` runs (for `history`), kept apart from
the pipeline's tables of content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .database import Database
from .models import AgentRun, Run, utcnow
from .records import AgentRunRecord, RunRecord


class RunRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def start(self, command: str, settings: dict[str, Any]) -> int:
        with self.db.write() as s:
            row = Run(command=command, settings=settings, summary={})
            s.add(row)
            s.flush()
            return int(row.id)

    def update(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.db.write() as s:
            row = s.get(Run, run_id)
            if row is not None:
                row.status, row.summary = status, summary
                if status != "running":
                    row.finished = utcnow()

    def of(self, command: str) -> list[RunRecord]:
        with self.db.read() as s:
            return [
                RunRecord(
                    r.id, r.command, r.started, r.finished, r.status, dict(r.settings or {}), dict(r.summary or {})
                )
                for r in s.scalars(select(Run).where(Run.command == command).order_by(Run.id))
            ]

    def add_agent_run(self, **fields: Any) -> int:
        """Store one `ask` (question, answer, mode, citations, steps, elapsed_s, error); returns its id."""
        with self.db.write() as s:
            row = AgentRun(**fields)
            s.add(row)
            s.flush()
            return int(row.id)

    def agent_runs(self, limit: int = 20) -> list[AgentRunRecord]:
        """The most recent `ask` runs, newest first."""
        with self.db.read() as s:
            rows = list(s.scalars(select(AgentRun).order_by(AgentRun.id.desc()).limit(limit)))
        return [
            AgentRunRecord(
                id=r.id,
                created=r.created.isoformat(timespec="seconds"),
                question=r.question,
                answer=r.answer,
                mode=r.mode,
                citations=list(r.citations or []),
                steps=list(r.steps or []),
                elapsed_s=r.elapsed_s,
                error=r.error,
            )
            for r in rows
        ]
