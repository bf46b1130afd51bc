"""A LangChain retriever over the store, so vidagent's hybrid clip search drops into any LangChain RAG
chain. Each Document's text is the clip's stored description; metadata carries the clip id, video,
timestamps and scores (timestamps from the store, as everywhere in the agent).

Imports langchain-core at import time: import this module only where LangChain is wanted.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ..config import Settings, load_settings
from ..store import Store


class VidagentRetriever(BaseRetriever):
    """Clips for a query as Documents: `VidagentRetriever(store=Store("store"), k=5).invoke("a hare")`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    settings: Settings | None = None
    k: int = 5
    video: str | None = None
    min_similarity: float | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        from ..retrieve import search

        store = self.store if isinstance(self.store, Store) else Store(self.store, create=False)
        settings = self.settings or load_settings()
        hits = search(store, query, settings, top_k=self.k, video=self.video, min_score=0.0)
        docs = []
        for h in hits:
            if self.min_similarity is not None and h.similarity < self.min_similarity:
                continue
            text = "\n".join(x for x in [h.caption, *h.ocr, h.transcript] if x)
            docs.append(
                Document(
                    page_content=text,
                    id=h.clip_id,
                    metadata={
                        "clip_id": h.clip_id,
                        "video": h.video,
                        "video_hash": h.video_hash,
                        "start": h.start,
                        "end": h.end,
                        "score": h.score,
                        "similarity": h.similarity,
                        "tags": list(h.tags),
                        "ocr": list(h.ocr),
                        "transcript": h.transcript,
                    },
                )
            )
        return docs
