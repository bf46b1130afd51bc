"""Stage outputs keyed by content: scene sets, clip plans and transcripts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select

from ..types import Clip, Scene, Segment
from .database import Database, retry_conflicts
from .models import ClipRow, SceneSet, Transcript


def _segments(data: list[Any]) -> list[Segment]:
    return [Segment(float(a), float(b), str(t)) for a, b, t in data]


class StageRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get_scenes(self, key: str) -> list[Scene] | None:
        with self.db.read() as s:
            row = s.get(SceneSet, key)
            if row is None:
                return None
            return [Scene(i, int(a), int(b), float(c), float(d)) for i, (a, b, c, d) in enumerate(row.scenes)]

    @retry_conflicts
    def put_scenes(
        self,
        key: str,
        video_hash: str,
        detector: str,
        settings: dict[str, Any],
        scenes: Sequence[Scene],
        seconds: float,
    ) -> None:
        data = [[sc.start_frame, sc.end_frame, sc.start, sc.end] for sc in scenes]
        with self.db.write() as s:
            s.merge(
                SceneSet(
                    key=key, video_hash=video_hash, detector=detector, settings=settings, scenes=data, seconds=seconds
                )
            )

    def get_clips(self, plan_key: str) -> list[Clip] | None:
        with self.db.read() as s:
            rows = list(s.scalars(select(ClipRow).where(ClipRow.plan_key == plan_key).order_by(ClipRow.idx)))
        if not rows:
            return None
        return [
            Clip(r.id, r.video_hash, r.idx, r.start, r.end, tuple(r.keyframes), tuple(r.scene_indices)) for r in rows
        ]

    @retry_conflicts
    def put_clips(self, plan_key: str, clips: Sequence[Clip]) -> None:
        with self.db.write() as s:
            if s.scalars(select(ClipRow.pk).where(ClipRow.plan_key == plan_key).limit(1)).first() is not None:
                return
            self._add(s, plan_key, clips)

    @retry_conflicts
    def add_clips(self, plan_key: str, clips: Sequence[Clip]) -> None:
        """Add the clips a growing (provisional) plan does not hold yet."""
        with self.db.write() as s:
            ids = [c.id for c in clips]
            have = set(s.scalars(select(ClipRow.id).where(ClipRow.plan_key == plan_key, ClipRow.id.in_(ids))))
            self._add(s, plan_key, [c for c in clips if c.id not in have])

    def drop_clips(self, plan_key: str) -> None:
        with self.db.write() as s:
            s.execute(delete(ClipRow).where(ClipRow.plan_key == plan_key))

    @staticmethod
    def _add(s: Any, plan_key: str, clips: Sequence[Clip]) -> None:
        for c in clips:
            s.add(
                ClipRow(
                    id=c.id,
                    plan_key=plan_key,
                    video_hash=c.video_hash,
                    idx=c.index,
                    start=c.start,
                    end=c.end,
                    keyframes=list(c.keyframes),
                    scene_indices=list(c.scene_indices),
                )
            )

    def get_transcript(self, key: str) -> list[Segment] | None:
        with self.db.read() as s:
            row = s.get(Transcript, key)
            return None if row is None else _segments(row.segments)

    @retry_conflicts
    def put_transcript(self, key: str, video_hash: str, model_id: str, segments: Sequence[Segment]) -> None:
        with self.db.write() as s:
            s.merge(
                Transcript(
                    key=key,
                    video_hash=video_hash,
                    model_id=model_id,
                    segments=[[g.start, g.end, g.text] for g in segments],
                )
            )

    def transcripts_of(self, video_hash: str) -> list[list[Segment]]:
        """All stored transcripts of a video, one per speech model (there is one model today)."""
        with self.db.read() as s:
            rows = list(s.scalars(select(Transcript).where(Transcript.video_hash == video_hash)))
        return [_segments(r.segments) for r in rows]
