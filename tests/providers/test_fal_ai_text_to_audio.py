"""fal-ai text-to-audio (music and sound models) with the sync and the async client.

No recording exists, so the cassette is synthetic, from fal-ai/stable-audio's documented
input and output (``cassettes/fal-ai/PROVENANCE.md``). The audio is downloaded without the
key; an answer without the file's URL is a ResponseFormatError naming where it was looked for.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infermux import AudioOutput
from infermux.errors import InvalidInputError, ResponseFormatError
from infermux.helpers.base import Call, FollowUp, ModelMapping
from infermux.testing.samples import json_response, wav_bytes
from infermux_fal_ai import FalAITextToAudio
from tests.core.both_clients import KINDS, invoke, open_client

FAKE_FAL_KEY = "fal-fake-key-id:fake-secret-0123456789"
PROMPT = "128 BPM tech house drum loop"


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_text_to_audio_direct(kind, replay, sent):
    http_client = sent.client() if kind == "sync" else sent.async_client()
    options = {"provider": "fal-ai", "api_key": FAKE_FAL_KEY, "hub_lookup": False}
    async with open_client(kind, **options, http_client=http_client) as client:
        with replay("fal-ai/text_to_audio_synthetic.yaml"):
            audio = await invoke(client, "text_to_audio", PROMPT, model="fal-ai/stable-audio")
    assert isinstance(audio, AudioOutput)
    assert (audio.content_type, audio.content) == ("audio/wav", wav_bytes())
    assert audio.url == "https://v3.fal.media/files/synthetic/drum_loop.wav"
    assert audio.provider == "fal-ai"
    submit, download = sent.requests
    assert str(submit.url) == "https://fal.run/fal-ai/stable-audio"
    assert json.loads(submit.content) == {"prompt": PROMPT}
    assert submit.headers["authorization"] == f"Key {FAKE_FAL_KEY}"
    assert "authorization" not in download.headers  # the media host never gets the key


async def test_parameters_fal_cannot_honour_are_refused(kind, sent):
    http_client = sent.client() if kind == "sync" else sent.async_client()
    options = {"provider": "fal-ai", "api_key": FAKE_FAL_KEY, "hub_lookup": False}
    async with open_client(kind, **options, http_client=http_client) as client:
        with pytest.raises(InvalidInputError, match="generation_parameters"):
            await invoke(
                client,
                "text_to_audio",
                PROMPT,
                model="fal-ai/stable-audio",
                generation_parameters={"temperature": 0.5},
            )
        with pytest.raises(InvalidInputError, match="prompt must not be empty"):
            await invoke(client, "text_to_audio", "  ", model="fal-ai/stable-audio")
    assert sent.requests == []


def _call() -> Call:
    return Call(
        "text-to-audio",
        PROMPT,
        ModelMapping("fal-ai/mmaudio-v2/text-to-audio"),
        "direct",
        "https://fal.run",
    )


@pytest.mark.parametrize(
    ("body", "url"),
    [
        ({"audio_file": {"url": "https://v3.fal.media/a.wav"}}, "https://v3.fal.media/a.wav"),
        ({"audio": {"url": "https://v3.fal.media/b.wav"}}, "https://v3.fal.media/b.wav"),
        ({"audio_url": "https://v3.fal.media/c.wav"}, "https://v3.fal.media/c.wav"),
    ],
    ids=["audio_file", "audio", "audio_url"],
)
def test_where_the_models_put_the_file(body: dict[str, Any], url: str):
    follow = FalAITextToAudio().parse_response(json_response(body), _call())
    assert isinstance(follow, FollowUp)
    assert follow.request.url == url
    assert follow.request.authenticate is False


@pytest.mark.parametrize(
    "body",
    [{}, {"audio": {}}, {"audio_file": {"url": ""}}, {"audio": "https://v3.fal.media/a.wav"}],
    ids=["empty", "no-url", "empty-url", "not-a-file-object"],
)
def test_an_answer_without_the_file_is_refused(body: dict[str, Any]):
    with pytest.raises(ResponseFormatError, match=r"fal-ai text-to-audio: answer without a URL"):
        FalAITextToAudio().parse_response(json_response(body), _call())
