"""Storage: SQLite (any SQLAlchemy URL) as the source of truth, FAISS indexes beside it."""

from .db import DB_NAME, Store, default_store_dir

__all__ = ["DB_NAME", "Store", "default_store_dir"]
