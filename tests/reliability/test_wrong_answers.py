"""Issue 14 items 7-11: silent wrong answers become typed errors (sync and async).

Each test talks to the scripted server on 127.0.0.1 (``tests/core/localserver.py``)
through the real engine and HTTP stack, on the sync and the async client alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infermux.errors import (
    InfermuxError,
    RedirectNotFollowedError,
    ResponseFormatError,
    StreamTruncatedError,
)
from tests.core.both_clients import collect, invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import Reply

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]


def chunk(content: str) -> bytes:
    body = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "local-model",
        "created": 1,
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


@pytest.fixture
def client_for(kind, local_registry):
    def make(**options: Any) -> Any:
        options.setdefault("timeout", 5.0)
        options.setdefault("max_retries", 0)
        return open_client(
            kind, provider="local", model="local-model", registry=local_registry, **options
        )

    return make


# -- item 7: a streaming request answered with no event stream ------------------------------


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(200, json={"id": "x", "choices": []}), "application/json"),
        (
            Reply(
                200, body="<html><body>Sign in</body></html>", headers={"Content-Type": "text/html"}
            ),
            "text/html",
        ),
        (Reply(200, json={"error": {"message": "streaming is off"}}), "streaming is off"),
    ],
    ids=["json", "html", "json-error"],
)
async def test_stream_answered_with_a_body_raises(client_for, local_server, reply, said):
    local_server.queue(reply)
    async with client_for() as client:
        with pytest.raises(ResponseFormatError) as caught:
            await invoke(client, "chat_completion", MESSAGES, stream=True)
    message = str(caught.value)
    assert "instead of an event stream" in message
    assert said in message
    assert "local-model" in message  # item 17: the model is named too
    assert len(local_server.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_stream_answered_with_a_redirect_raises(client_for, local_server, status):
    local_server.queue(Reply(status, headers={"Location": "https://elsewhere.example/v1"}))
    async with client_for() as client:
        with pytest.raises(RedirectNotFollowedError) as caught:
            await invoke(client, "chat_completion", MESSAGES, stream=True)
    assert caught.value.status_code == status
    assert caught.value.location == "https://elsewhere.example/v1"
    assert "because the request carries a key" in str(caught.value)
    assert len(local_server.requests) == 1  # not followed


async def test_an_event_stream_with_charset_still_streams(client_for, local_server):
    local_server.queue(
        Reply(
            200,
            chunks=[chunk("Hi"), chunk(" there"), b"data: [DONE]\n\n"],
            headers={"Content-Type": "text/event-stream; charset=utf-8"},
        )
    )
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
    assert "".join(c.choices[0].delta.content for c in chunks) == "Hi there"


def test_cli_chat_exits_non_zero_when_the_stream_is_a_json_body(
    local_server, local_registry, monkeypatch, capsys
):
    from infermux.cli import main

    monkeypatch.setattr("infermux.registry.loader.get_registry", lambda: local_registry)
    local_server.queue(Reply(200, json={"id": "x", "object": "chat.completion", "choices": []}))
    code = main(["chat", "local-model", "--provider", "local", "Hello"])
    err = capsys.readouterr().err
    assert code != 0
    assert "instead of an event stream" in err
    assert LOCAL_KEY not in err


# -- item 17: a redirect on a keyed call -----------------------------------------------------


async def test_redirect_on_a_keyed_call_says_so(client_for, local_server):
    local_server.queue(Reply(302, headers={"Location": "http://127.0.0.1:9/v1/chat/completions"}))
    async with client_for() as client:
        with pytest.raises(RedirectNotFollowedError) as caught:
            await invoke(client, "chat_completion", MESSAGES)
    message = str(caught.value)
    assert "redirect to http://127.0.0.1:9/v1/chat/completions not followed" in message
    assert "because the request carries a key" in message
    assert "JSON" not in message
    assert caught.value.model == "local-model"
    assert isinstance(caught.value, InfermuxError)
    assert len(local_server.requests) == 1


# -- item 10: unterminated final events and streams cut before [DONE] -----------------------


@pytest.fixture
def done_client(kind, local_registry, local_server):
    """A client on ``openai-like``: an OpenAI-style provider, which always ends with [DONE]."""
    from infermux import register_provider
    from infermux.helpers.openai import OpenAIChatHelper

    class OpenAILike(OpenAIChatHelper):
        provider = "openai-like"
        base_url = local_server.url
        api_key_env = ("LOCAL_KEY",)
        routable = False
        needs_model_mapping = False

    register_provider(OpenAILike(), registry=local_registry)

    def make() -> Any:
        return open_client(
            kind,
            provider="openai-like",
            model="local-model",
            registry=local_registry,
            timeout=5.0,
            max_retries=0,
        )

    return make


async def drain(stream: Any, into: list[Any]) -> None:
    if hasattr(stream, "__aiter__"):
        async for item in stream:
            into.append(item)
    else:
        for item in stream:
            into.append(item)


async def test_stream_cut_before_done_is_truncated_after_delivering(done_client, local_server):
    # The last event is half-written (no blank line): discarded, never parsed.
    local_server.queue(Reply(chunks=[chunk("Deep"), chunk(" learn"), chunk("ing")[:-12]]))
    received: list[Any] = []
    async with done_client() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(StreamTruncatedError) as caught:
            await drain(stream, received)
    assert [c.choices[0].delta.content for c in received] == ["Deep", " learn"]
    message = str(caught.value)
    assert "'[DONE]'" in message
    assert "after 2 chunk(s)" in message
    assert "incomplete final event was discarded" in message
    assert "local-model" in message
    assert caught.value.provider == "openai-like"


async def test_collect_keeps_what_came_on_a_truncated_stream(done_client, local_server):
    local_server.queue(Reply(chunks=[chunk("Deep"), chunk(" learning")]))
    async with done_client() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(StreamTruncatedError) as caught:
            await run_collect(stream)
    assert len(caught.value.chunks) == 2
    assert caught.value.partial.choices[0].message.content == "Deep learning"


async def test_done_without_its_blank_line_still_ends_cleanly(done_client, local_server):
    local_server.queue(Reply(chunks=[chunk("Hi"), b"data: [DONE]\n"]))
    async with done_client() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["Hi"]


async def test_a_complete_stream_with_done_is_not_truncated(done_client, local_server):
    local_server.queue(Reply(chunks=[chunk("Hi"), chunk("!"), b"data: [DONE]\n\n"]))
    async with done_client() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        out = await run_collect(stream)
    assert out.choices[0].message.content == "Hi!"


async def run_collect(stream: Any) -> Any:
    result = stream.collect()
    if hasattr(result, "__await__"):
        result = await result
    return result


# -- item 9: the Hub mapping's task ---------------------------------------------------------


def _hub_answer(task: str) -> Reply:
    return Reply(
        200,
        json={
            "id": "org/model",
            "inferenceProviderMapping": {
                "openai-like": {"providerId": "native-id", "task": task, "status": "live"}
            },
        },
    )


@pytest.fixture
def hub_client(kind, local_registry, local_server):
    from infermux import register_provider
    from infermux.helpers.openai import OpenAIChatHelper

    class OpenAILike(OpenAIChatHelper):
        provider = "openai-like"
        base_url = local_server.url
        api_key_env = ("LOCAL_KEY",)
        routable = False

    register_provider(OpenAILike(), registry=local_registry)

    def make(provider: str) -> Any:
        return open_client(
            kind,
            provider=provider,
            registry=local_registry,
            hub_url=local_server.url,
            timeout=5.0,
            max_retries=0,
        )

    return make


@pytest.mark.parametrize("provider", ["openai-like", "auto"])
async def test_model_mapped_for_another_task_is_refused_before_sending(
    hub_client, local_server, provider
):
    from infermux.errors import ModelMappingError

    local_server.queue(_hub_answer("text-to-image"))
    async with hub_client(provider) as client:
        with pytest.raises(ModelMappingError) as caught:
            await invoke(client, "chat_completion", MESSAGES, model="org/model")
    assert "text-to-image" in str(caught.value)
    assert "conversational" in str(caught.value)
    assert "nothing was sent" in str(caught.value)
    (hub_lookup,) = local_server.requests  # the chat route was never called
    assert hub_lookup.path.startswith("/api/models/org/model")


async def test_model_mapped_for_chat_is_sent_with_its_provider_id(hub_client, local_server):
    local_server.queue(
        _hub_answer("conversational"),
        Reply(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 1,
                "model": "native-id",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Hi"},
                        "finish_reason": "stop",
                    }
                ],
            },
        ),
    )
    async with hub_client("openai-like") as client:
        out = await invoke(client, "chat_completion", MESSAGES, model="org/model")
    assert out.choices[0].message.content == "Hi"
    assert local_server.requests[1].json()["model"] == "native-id"


# -- item 11: media outputs are checked --------------------------------------------------------

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64


@pytest.fixture
def image_client(kind, local_server, monkeypatch):
    from infermux import register_openai_compatible
    from infermux.registry.store import ProviderRegistry

    registry = ProviderRegistry()
    register_openai_compatible(
        "local-images",
        base_url=f"{local_server.url}/v1",
        api_key_env="LOCAL_KEY",
        tasks=["text-to-image"],
        registry=registry,
    )
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)

    def make() -> Any:
        return open_client(
            kind, provider="local-images", registry=registry, timeout=5.0, max_retries=0
        )

    return make


@pytest.mark.parametrize(
    ("served", "content_type", "said"),
    [
        (MP4, "video/mp4", "video/mp4"),
        (b"<html><body>Not found</body></html>", "text/html", "text/html"),
    ],
    ids=["video", "html"],
)
async def test_text_to_image_whose_url_serves_something_else_is_an_error(
    image_client, local_server, served, content_type, said
):
    file_url = f"{local_server.url}/files/out.png"
    local_server.queue(
        Reply(200, json={"created": 1, "data": [{"url": file_url}]}),
        Reply(200, body=served, headers={"Content-Type": content_type}),
    )
    async with image_client() as client:
        with pytest.raises(ResponseFormatError) as caught:
            await invoke(client, "text_to_image", "a cat", model="img-model")
    message = str(caught.value)
    assert "must return image" in message
    assert said in message
    assert file_url in message
    assert "img-model" in message


async def test_text_to_image_serving_an_image_still_works(image_client, local_server):
    from infermux import ImageOutput
    from infermux.testing.samples import png_bytes

    local_server.queue(
        Reply(200, json={"created": 1, "data": [{"url": f"{local_server.url}/files/a.png"}]}),
        Reply(200, body=png_bytes(), headers={"Content-Type": "image/png"}),
    )
    async with image_client() as client:
        out = await invoke(client, "text_to_image", "a cat", model="img-model")
    assert isinstance(out, ImageOutput)
    assert out.content_type == "image/png"


def test_media_kind_problem_knows_containers_and_unknown_bytes():
    from infermux.media import AudioOutput, ImageOutput, VideoOutput, media_kind_problem

    assert media_kind_problem("text-to-video", VideoOutput(MP4, "video/mp4")) is None
    assert media_kind_problem("text-to-speech", AudioOutput(MP4, "video/mp4")) is None
    assert (
        media_kind_problem("text-to-image", ImageOutput(b"?", "application/octet-stream")) is None
    )
    assert "must return video" in str(
        media_kind_problem("text-to-video", ImageOutput(b"x", "image/png"))
    )
    assert "must return audio" in str(
        media_kind_problem(
            "audio-to-audio", [AudioOutput(b"x", "audio/wav"), ImageOutput(b"x", "image/png")]
        )
    )


def test_image_save_under_another_extension_converts_with_pillow(tmp_path):
    from PIL import Image

    from infermux import ImageOutput
    from infermux.testing.samples import png_bytes

    path = ImageOutput(png_bytes(), "image/png").save(tmp_path / "x.jpg")
    data = (tmp_path / "x.jpg").read_bytes()
    assert path == str(tmp_path / "x.jpg")
    assert data.startswith(b"\xff\xd8\xff")  # really a JPEG now
    with Image.open(tmp_path / "x.jpg") as image:
        assert image.format == "JPEG"
    # The matching extension (and .jpeg for JPEG) writes the bytes as they are.
    ImageOutput(png_bytes(), "image/png").save(tmp_path / "same.png")
    assert (tmp_path / "same.png").read_bytes() == png_bytes()


def test_image_save_under_another_extension_without_pillow_is_refused(tmp_path, monkeypatch):
    import sys

    from infermux import ImageOutput
    from infermux.errors import InvalidInputError
    from infermux.testing.samples import png_bytes

    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(InvalidInputError) as caught:
        ImageOutput(png_bytes(), "image/png").save(tmp_path / "x.jpg")
    assert "'.png'" in str(caught.value)
    assert "Pillow" in str(caught.value)
    assert not (tmp_path / "x.jpg").exists()


def test_audio_and_video_save_refuse_a_mismatched_extension(tmp_path):
    from infermux import AudioOutput, VideoOutput
    from infermux.errors import InvalidInputError
    from infermux.testing.samples import wav_bytes

    with pytest.raises(InvalidInputError, match=r"'\.wav'"):
        AudioOutput(wav_bytes(), "audio/wav").save(tmp_path / "x.mp3")
    with pytest.raises(InvalidInputError, match="video/mp4"):
        VideoOutput(MP4, "video/mp4").save(tmp_path / "x.gif")
    # Matching or unknown extensions are written as they are.
    AudioOutput(wav_bytes(), "audio/wav").save(tmp_path / "ok.wav")
    AudioOutput(wav_bytes(), "audio/wav").save(tmp_path / "ok.data-file")
    VideoOutput(MP4, "video/mp4").save(tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == MP4
