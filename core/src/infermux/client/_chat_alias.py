"""The OpenAI-style spelling: ``client.chat.completions.create(model=..., messages=...)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["AsyncChat", "Chat"]


class _Completions:
    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    def create(
        self, *, messages: Sequence[Mapping[str, Any]], model: str | None = None, **kwargs: Any
    ) -> Any:
        """Same as ``client.chat_completion(messages, model=model, **kwargs)``."""
        return self._client.chat_completion(messages, model=model, **kwargs)


class _AsyncCompletions(_Completions):
    __slots__ = ()

    async def create(  # type: ignore[override,unused-ignore]
        self, *, messages: Sequence[Mapping[str, Any]], model: str | None = None, **kwargs: Any
    ) -> Any:
        """Same as ``await client.chat_completion(messages, model=model, **kwargs)``."""
        return await self._client.chat_completion(messages, model=model, **kwargs)


class Chat:
    """``client.chat``: holds ``completions``."""

    __slots__ = ("completions",)

    def __init__(self, client: Any) -> None:
        self.completions = _Completions(client)


class AsyncChat:
    """``async_client.chat``: holds ``completions``."""

    __slots__ = ("completions",)

    def __init__(self, client: Any) -> None:
        self.completions = _AsyncCompletions(client)
