"""Embedding chunking with the Elasticsearch semantics."""

from __future__ import annotations

import itertools

import httpx2
import pytest

from infermux import InferenceClient
from infermux.chunking import ChunkingSettings, chunk_text
from infermux.errors import InvalidInputError

WORDS = " ".join(f"w{i}" for i in range(30))
SENTENCES = (
    "One two three four five. Six seven eight nine ten! Eleven twelve? Thirteen fourteen fifteen."
)


def test_word_windows_overlap_and_offsets():
    chunks = chunk_text(WORDS, ChunkingSettings("word", max_chunk_size=10, overlap=5))
    assert [c.text.split()[0] for c in chunks] == ["w0", "w5", "w10", "w15", "w20"]
    assert all(len(c.text.split()) == 10 for c in chunks)
    assert all(WORDS[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].text.split()[-1] == "w29"


def test_sentence_chunks_pack_whole_sentences_with_one_sentence_overlap():
    chunks = chunk_text(SENTENCES, ChunkingSettings("sentence", max_chunk_size=20))
    assert len(chunks) == 1  # 15 words fit in one chunk
    text = " ".join([SENTENCES] * 3)  # 45 words, 12 sentences
    chunks = chunk_text(text, ChunkingSettings("sentence", max_chunk_size=20))
    assert all(len(c.text.split()) <= 20 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    for previous, current in itertools.pairwise(chunks):
        last_sentence = previous.text.rsplit(". ", 1)[-1].rsplit("! ", 1)[-1].rsplit("? ", 1)[-1]
        assert current.text.startswith(last_sentence)


def test_sentence_overlap_zero_shares_nothing():
    text = " ".join([SENTENCES] * 3)
    chunks = chunk_text(text, ChunkingSettings("sentence", max_chunk_size=20, sentence_overlap=0))
    assert sum(len(c.text.split()) for c in chunks) == 45
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


def test_long_sentence_is_cut_into_word_windows():
    sentence = " ".join(["word"] * 50) + "."
    chunks = chunk_text(sentence, ChunkingSettings("sentence", max_chunk_size=20))
    assert [len(c.text.split()) for c in chunks] == [20, 20, 10]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"strategy": "word", "max_chunk_size": 5}, ">= 10"),
        (
            {"strategy": "word", "max_chunk_size": 20, "overlap": 11},
            "between 0 and max_chunk_size / 2 = 10",
        ),
        ({"strategy": "sentence", "max_chunk_size": 10}, "between 20 and 300"),
        ({"strategy": "sentence", "max_chunk_size": 400}, "between 20 and 300"),
        ({"strategy": "sentence", "sentence_overlap": 2}, "0 or 1"),
        ({"strategy": "sentence", "overlap": 5}, "'word' strategy only"),
        ({"strategy": "word", "sentence_overlap": 1}, "'sentence' strategy only"),
        ({"strategy": "paragraph"}, "'word' or 'sentence'"),
    ],
)
def test_invalid_settings_name_the_allowed_range(settings, message):
    with pytest.raises(InvalidInputError, match=message):
        ChunkingSettings(**settings)


def test_embed_chunks_sends_one_batch_and_pairs_vectors_with_offsets():
    seen = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        import json

        body = json.loads(request.content)
        seen.append(body["input"])
        data = [{"index": i, "embedding": [float(i), 0.5]} for i in range(len(body["input"]))]
        return httpx2.Response(200, json={"data": data})

    client = InferenceClient(
        provider="together",
        api_key="tg-key",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    chunks = client.embed_chunks(WORDS, model="m", strategy="word", max_chunk_size=10, overlap=0)
    assert len(seen) == 1
    assert len(seen[0]) == 3
    assert [c.embedding for c in chunks] == [[0.0, 0.5], [1.0, 0.5], [2.0, 0.5]]
    assert next((c.start, c.end) for c in chunks) == (0, len(" ".join(f"w{i}" for i in range(10))))
