"""Storage: SQLite (any SQLAlchemy URL) as the source of truth, FAISS indexes beside it."""

from .db import DB_NAME, Store, default_store_dir, opened
from .records import AgentRunRecord, ClipRecord, ClipSpan, RunRecord, StoredDescription, VideoRecord

__all__ = [
    "DB_NAME",
    "AgentRunRecord",
    "ClipRecord",
    "ClipSpan",
    "RunRecord",
    "Store",
    "StoredDescription",
    "VideoRecord",
    "default_store_dir",
    "opened",
]
