"""Methods beyond the tasks (chunked embeddings, custom calls, the Hub API) of the
synchronous client.

GENERATED from sync_services.py by scripts/generate_async_client.py: do not edit
by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from infermux import batch
from infermux.chunking import (
    ChunkingSettings,
    EmbeddedChunk,
    EmbeddedChunks,
    Strategy,
    chunk_text,
)
from infermux.client import _inputs
from infermux.client.async_text_tasks import AsyncTextTasks
from infermux.errors import ResponseFormatError
from infermux.hub import (
    HubModel,
    ModelStatus,
    list_models_query,
    model_status_path,
    parse_models,
    parse_status,
)
from infermux.mapping import ProviderMappingEntry
from infermux.streaming import AsyncStream

__all__ = ["AsyncServices"]


class AsyncServices(AsyncTextTasks):
    """Chunked embeddings, custom calls and the Hub API."""

    async def embed_chunks(
        self,
        text: str,
        *,
        model: str | None = None,
        strategy: Strategy = "sentence",
        max_chunk_size: int = 250,
        overlap: int | None = None,
        sentence_overlap: int | None = None,
        batch_size: int | None = None,
    ) -> EmbeddedChunks:
        """Embed a long text chunk by chunk; one vector per chunk, with its offsets.

        Strategies and limits follow the Elasticsearch inference chunking settings: see
        :mod:`infermux.chunking`. Chunks go in requests of at most ``batch_size`` texts (by
        default the provider helper's ``max_batch_size``), in order; the result says how
        many requests were made (``batches``) and of what size (``batch_size``).
        """
        settings = ChunkingSettings(strategy, max_chunk_size, overlap, sentence_overlap)
        chunks = chunk_text(_inputs.check_text("text", text), settings)
        limit = _inputs.check_batch_size(batch_size) or self.engine.max_batch_size(
            "feature-extraction", model
        )
        texts = [chunk.text for chunk in chunks]
        vectors: list[Any] = []
        infos: list[Any] = []
        for start in range(0, len(texts), limit):
            batch = texts[start : start + limit]
            part = await self.feature_extraction(batch, model=model)
            if len(part) != len(batch):
                raise ResponseFormatError(
                    f"{len(batch)} chunks were sent but {len(part)} embeddings came back"
                )
            vectors.extend(part)
            infos.append(getattr(part, "response_info", None))
        result = EmbeddedChunks(
            EmbeddedChunk(chunk.text, chunk.start, chunk.end, vector)
            for chunk, vector in zip(chunks, vectors, strict=True)
        )
        result.batch_size = min(limit, len(texts))
        result.batches = len(infos)
        result.response_infos = infos
        return result

    async def request(
        self,
        path: str,
        *,
        provider: str | None = None,
        method: str = "POST",
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call a route of a provider directly, still with its routing, auth and retries.

        ``path`` is appended to the provider's base URL (direct or routed). Returns the JSON
        body decoded, or the raw bytes when the answer is not JSON.
        """
        http_request = _inputs.custom_request(method, path, json, content, content_type, headers)
        response = await self._drive(self.engine.custom(provider, http_request))
        return _inputs.decode_custom(response)

    async def stream_request(
        self,
        path: str,
        *,
        provider: str | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncStream[Any]:
        """Like :meth:`request` for a server-sent event stream: yields each event's data
        (decoded from JSON when it is JSON)."""
        http_request = _inputs.custom_request("POST", path, json, None, None, headers, stream=True)
        return await self._run_effects(self.engine.custom(provider, http_request))

    async def list_models(
        self,
        *,
        provider: str | Sequence[str] | None = None,
        task: str | None = None,
        search: str | None = None,
        limit: int = 100,
    ) -> list[HubModel]:
        """Models the Hub lists as served by ``provider`` (one, several, or all), for ``task``."""
        providers = [provider] if isinstance(provider, str) else list(provider or [])
        query = list_models_query(providers, task, limit, search)
        return parse_models(await self._drive(self.engine.hub("/api/models", query)))

    async def model_status(self, model: str) -> ModelStatus:
        """Whether ``model`` is warm, and the providers serving it."""
        model = _inputs.check_text("model", model)
        query = {"expand[]": ["inference", "inferenceProviderMapping"]}
        return parse_status(
            model, await self._drive(self.engine.hub(model_status_path(model), query))
        )

    async def provider_mapping(self, model: str) -> list[ProviderMappingEntry]:
        """The providers the Hub maps ``model`` to, with their own model ids."""
        status = await self.model_status(model)
        return status.providers

    async def list_router_models(self) -> list[dict[str, Any]]:
        """The Hugging Face router's OpenAI-style model listing (``GET /v1/models``)."""
        body = await self._drive(self.engine.router_get("/v1/models"))
        return list(body.get("data", [])) if isinstance(body, dict) else []

    async def batch(
        self,
        requests: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = 16,
        requests_per_minute: float | Mapping[str, float] | None = None,
        tokens_per_minute: float | Mapping[str, float] | None = None,
        ordered: bool = False,
        dedupe: bool = False,
        media_dir: str | None = None,
        prices: Mapping[str, Mapping[str, float]] | None = None,
    ) -> batch.AsyncBatchResults:
        """Run many requests within rate limits; yield one output row per request.

        ``requests`` are dicts in OpenAI's Batch format (``custom_id``, ``method``, ``url``,
        ``body``) or infermux's (``custom_id``, ``task``, ``inputs``, ``parameters``,
        ``provider``, ``model``); a list is checked whole before anything is sent, an
        iterator is read lazily. Rows are OpenAI Batch output rows plus an ``infermux``
        object, as they finish (in input order with ``ordered=True``); a failed request
        is an error row, never an exception. ``requests_per_minute`` and
        ``tokens_per_minute`` are one number or ``{provider: number}``; a 429 pauses the
        provider for every row and lowers its rate. See docs/guide/batch.md.

        Example::

            rows = [{"custom_id": "a", "task": "conversational", "model": "m",
                     "inputs": [{"role": "user", "content": "Hi"}]}]
            async for row in await client.batch(rows, concurrency=32, requests_per_minute=600):
                print(row["custom_id"], row["error"] or row["response"]["status_code"])
        """
        from infermux.batch.job import BatchOptions
        from infermux.batch.summary import parse_prices

        options = BatchOptions(
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            ordered=ordered,
            dedupe=dedupe,
            media_dir=media_dir,
            prices=parse_prices(prices or {}),
        )
        return self._batch(requests, options)
