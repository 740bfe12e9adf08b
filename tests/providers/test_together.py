"""together end to end, sync and async, against real recorded traffic (router)."""

from __future__ import annotations

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput
from tests.conftest import FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
CHAT_MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"


def test_chat_completion(replay, sent):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("together/chat_completion.yaml") as tape:
        out = client.chat_completion(MESSAGES, model=CHAT_MODEL)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith("Deep learning is a subfield")
    assert out.model == "meta-llama/Meta-Llama-3-8B-Instruct-Turbo"
    assert out.usage.total_tokens == 623
    assert tape.play_count == 2  # Hub mapping lookup + the chat call
    assert sent.urls == [
        "https://huggingface.co/api/models/meta-llama/Meta-Llama-3-8B-Instruct?expand=inferenceProviderMapping",
        "https://router.huggingface.co/together/v1/chat/completions",
    ]
    # Every request went through the user's http_client; the HF token only to HF hosts.
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream(replay):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN)
    with replay("together/chat_completion_stream.yaml"):
        chunks = list(
            client.chat_completion(MESSAGES, model=CHAT_MODEL, max_tokens=20, stream=True)
        )
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Deep learning")
    assert len(chunks) >= 10


def test_openai_style_alias(replay):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN)
    with replay("together/chat_completion.yaml"):
        out = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert out.choices[0].finish_reason == "stop"


def test_text_to_image(replay, tmp_path):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN)
    with replay("together/text_to_image.yaml"):
        image = client.text_to_image(
            "An astronaut riding a horse on the moon.",
            model="stabilityai/stable-diffusion-xl-base-1.0",
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/jpeg"
    path = image.save(tmp_path / "astronaut.jpg")
    assert (tmp_path / "astronaut.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert image.to_pil().size[0] > 0
    assert path.endswith("astronaut.jpg")


async def test_async_chat_completion(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=CHAT_MODEL)
    assert out.choices[0].message.content.startswith("Deep learning is a subfield")


async def test_async_chat_completion_stream(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/chat_completion_stream.yaml"):
            stream = await client.chat_completion(
                MESSAGES, model=CHAT_MODEL, max_tokens=20, stream=True
            )
            chunks = [chunk async for chunk in stream]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith("Deep")


async def test_async_text_to_image(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/text_to_image.yaml"):
            image = await client.text_to_image(
                "An astronaut riding a horse on the moon.",
                model="stabilityai/stable-diffusion-xl-base-1.0",
            )
    assert image.content[:3] == b"\xff\xd8\xff"


def test_unsupported_parameter_is_refused_before_sending():
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN)
    with pytest.raises(ValueError, match="tool_prompt"):
        client.chat_completion(MESSAGES, model=CHAT_MODEL, tool_prompt="x")
