"""Split long texts into chunks for embedding, with the Elasticsearch inference semantics.

- ``word``: windows of ``max_chunk_size`` words (>= 10), consecutive windows sharing
  ``overlap`` words (at most half the chunk size; default 100).
- ``sentence`` (the default): whole sentences packed into chunks of at most
  ``max_chunk_size`` words (20-300); with ``sentence_overlap=1`` (the default) each chunk
  starts with the last sentence of the previous one. A sentence longer than a chunk is cut
  into word windows.

Each chunk keeps its character offsets in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from infermux.errors import InvalidInputError

__all__ = [
    "Chunk",
    "ChunkingSettings",
    "EmbeddedChunk",
    "EmbeddedChunks",
    "Strategy",
    "chunk_text",
]

Strategy = Literal["word", "sentence"]

_WORD = re.compile(r"\S+")
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"')\]]*|$)", re.S)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of the text and where it sits: ``text == source[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EmbeddedChunk:
    """A chunk with its embedding vector."""

    text: str
    start: int
    end: int
    embedding: list[float] = field(repr=False)


class EmbeddedChunks(list[EmbeddedChunk]):
    """What ``embed_chunks`` returns: the chunks in text order, and how they were sent.

    ``batch_size`` is the most chunks one request carried, ``batches`` the number of
    requests; ``response_infos`` holds each request's :class:`ResponseInfo` and
    ``response_info`` the last one's.
    """

    batch_size: int = 0
    batches: int = 0
    response_infos: list[Any]

    @property
    def response_info(self) -> Any:
        return self.response_infos[-1] if getattr(self, "response_infos", None) else None


@dataclass(frozen=True, slots=True)
class ChunkingSettings:
    """Validated chunking settings; invalid ones raise naming the allowed range."""

    strategy: Strategy = "sentence"
    max_chunk_size: int = 250
    overlap: int | None = None
    sentence_overlap: int | None = None

    def __post_init__(self) -> None:
        size = self.max_chunk_size
        if self.strategy not in ("word", "sentence"):
            raise InvalidInputError(f"strategy must be 'word' or 'sentence', got {self.strategy!r}")
        if not isinstance(size, int) or isinstance(size, bool):
            raise InvalidInputError(f"max_chunk_size must be an integer, got {size!r}")
        if self.strategy == "word":
            if size < 10:
                raise InvalidInputError(f"max_chunk_size must be >= 10 for 'word', got {size}")
            if self.sentence_overlap is not None:
                raise InvalidInputError("sentence_overlap applies to the 'sentence' strategy only")
            overlap = self.word_overlap
            if not 0 <= overlap <= size // 2:
                raise InvalidInputError(
                    f"overlap must be between 0 and max_chunk_size / 2 = {size // 2}, got {overlap}"
                )
        else:
            if not 20 <= size <= 300:
                raise InvalidInputError(
                    f"max_chunk_size must be between 20 and 300 for 'sentence', got {size}"
                )
            if self.overlap is not None:
                raise InvalidInputError("overlap applies to the 'word' strategy only")
            if self.sentence_overlap not in (None, 0, 1):
                raise InvalidInputError(
                    f"sentence_overlap must be 0 or 1, got {self.sentence_overlap!r}"
                )

    @property
    def word_overlap(self) -> int:
        return 100 if self.overlap is None else self.overlap

    @property
    def sentences_shared(self) -> int:
        return 1 if self.sentence_overlap is None else self.sentence_overlap


def _words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text, start, len(text) if end is None else end)]


def _windows(text: str, words: list[tuple[int, int]], size: int, overlap: int) -> list[Chunk]:
    chunks = []
    step = max(1, size - overlap)
    for first in range(0, len(words), step):
        window = words[first : first + size]
        start, end = window[0][0], window[-1][1]
        chunks.append(Chunk(text[start:end], start, end))
        if first + size >= len(words):
            break
    return chunks


def _sentences(text: str) -> list[list[tuple[int, int]]]:
    """Each sentence as the spans of its words."""
    sentences = []
    for match in _SENTENCE.finditer(text):
        words = _words(text, match.start(), match.end())
        if words:
            sentences.append(words)
    return sentences


def chunk_text(text: str, settings: ChunkingSettings) -> list[Chunk]:
    """Split ``text`` by ``settings``; an empty text gives no chunks."""
    if settings.strategy == "word":
        words = _words(text)
        return (
            _windows(text, words, settings.max_chunk_size, settings.word_overlap) if words else []
        )
    size = settings.max_chunk_size
    chunks: list[Chunk] = []
    current: list[list[tuple[int, int]]] = []

    def emit() -> None:
        start, end = current[0][0][0], current[-1][-1][1]
        chunks.append(Chunk(text[start:end], start, end))

    for sentence in _sentences(text):
        if len(sentence) > size:  # longer than a chunk: flush, then cut it by words
            if current:
                emit()
                current = []
            chunks.extend(_windows(text, sentence, size, 0))
            continue
        if current and sum(map(len, current)) + len(sentence) > size:
            emit()
            carried = current[-1:] if settings.sentences_shared else []
            current = carried if sum(map(len, carried)) + len(sentence) <= size else []
        current.append(sentence)
    if current:
        emit()
    return chunks
