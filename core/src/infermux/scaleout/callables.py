"""The callables' common part: what ``infermux.ray`` and ``infermux.dask`` hand their
engines (``map_batches``, ``map_partitions``), less how each engine runs a batch.

:class:`ShapedCallable` holds the client settings (:class:`~infermux.scaleout.worker.WorkerSpec`),
the cluster-wide rate limit and the row shape; the task mixins (:class:`ChatColumns`,
:class:`EmbeddingsColumns`, :class:`TextToImageColumns`) choose the shape. Each engine's
module subclasses both: ``class Chat(ChatColumns, InferenceBatch)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from infermux.errors import InvalidInputError
from infermux.scaleout.shapes import (
    ChatShape,
    EmbeddingsShape,
    RowShape,
    Shape,
    TextToImageShape,
)
from infermux.scaleout.worker import WorkerSpec

__all__ = ["ChatColumns", "EmbeddingsColumns", "ShapedCallable", "TextToImageColumns"]


class ShapedCallable:
    """Client settings, the shared limit and the row shape; the engine's module says which
    rate-limit class it takes (``limit_type``) and how a batch runs (``__call__``)."""

    #: The engine's ``SharedRateLimit`` class (a Ray limit cannot serve a Dask job).
    limit_type: ClassVar[type]
    #: An instance of ``limit_type`` (its methods are the engine's own), or None.
    rate_limit: Any

    def __init__(
        self,
        *,
        rate_limit: Any = None,
        id_column: str = "custom_id",
        **client: Any,
    ) -> None:
        if rate_limit is not None and not isinstance(rate_limit, self.limit_type):
            raise InvalidInputError(
                f"rate_limit must be an {self.limit_type.__module__}."
                f"{self.limit_type.__qualname__}, got {type(rate_limit).__name__}"
            )
        self.spec = WorkerSpec.from_kwargs(client)
        self.rate_limit = rate_limit
        self.shape = self._shape(id_column)

    def _shape(self, id_column: str) -> Shape:
        return RowShape(id_column)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r}, rate_limit={self.rate_limit!r})"


class ChatColumns(ShapedCallable):
    """Chat completions: a ``prompt`` column (or ``column="messages"`` holding message
    lists); adds ``response`` (the answer's text), ``error_code``, ``error_message``.

    Extra arguments: ``column``, ``system_prompt``, ``parameters`` (e.g.
    ``{"max_tokens": 256, "temperature": 0}``).
    """

    def __init__(
        self,
        *,
        column: str = "prompt",
        system_prompt: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._options: dict[str, Any] = {
            "column": column,
            "system_prompt": system_prompt,
            "parameters": parameters,
        }
        super().__init__(**kwargs)

    def _shape(self, id_column: str) -> Shape:
        return ChatShape(id_column=id_column, **self._options)


class EmbeddingsColumns(ShapedCallable):
    """Embeddings: a ``text`` column; adds ``embedding`` (a list of floats), ``error_code``,
    ``error_message``. Extra arguments: ``column``, ``parameters``."""

    def __init__(
        self, *, column: str = "text", parameters: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        self._options: dict[str, Any] = {"column": column, "parameters": parameters}
        super().__init__(**kwargs)

    def _shape(self, id_column: str) -> Shape:
        return EmbeddingsShape(id_column=id_column, **self._options)


class TextToImageColumns(ShapedCallable):
    """Text to image: a ``prompt`` column; adds ``image`` (the image's bytes, or its path
    with ``media_dir``), ``error_code``, ``error_message``. Extra arguments: ``column``,
    ``parameters`` (e.g. ``{"width": 512, "height": 512}``)."""

    def __init__(
        self,
        *,
        column: str = "prompt",
        parameters: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._options: dict[str, Any] = {"column": column, "parameters": parameters}
        super().__init__(**kwargs)

    def _shape(self, id_column: str) -> Shape:
        return TextToImageShape(id_column=id_column, **self._options)
