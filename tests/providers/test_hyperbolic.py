"""hyperbolic end to end, sync and async: real recorded traffic (router) for chat and
text-to-image, synthetic cassettes for completions and a direct image call."""

from __future__ import annotations

import base64
import json
from typing import ClassVar

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.errors import InvalidInputError
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response, png_bytes
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput, TextGenerationOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.2-3B-Instruct"
SD2 = "stabilityai/stable-diffusion-2"
PROMPT = "An astronaut riding a horse on the moon."
HYPERBOLIC_KEY = "fake-hyperbolic-key-0123456789ab"
ROUTER = "https://router.huggingface.co/hyperbolic"
_PNG_B64 = base64.b64encode(png_bytes()).decode()


@pytest.fixture(autouse=True)
def _no_hyperbolic_key(monkeypatch):
    monkeypatch.delenv("HYPERBOLIC_API_KEY", raising=False)


def _lookup(model: str) -> str:
    return f"https://huggingface.co/api/models/{model}?expand=inferenceProviderMapping"


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# -- chat -----------------------------------------------------------------------------


def test_chat_completion_routed(replay, sent):
    client = InferenceClient(
        provider="hyperbolic", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with replay("hyperbolic/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith(
        "Deep learning is a subset of machine learning that involves the use of artificial"
    )
    assert out.usage.total_tokens == 523
    assert sent.urls == [_lookup(LLAMA), f"{ROUTER}/v1/chat/completions"]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream_routed(replay):
    client = InferenceClient(provider="hyperbolic", api_key=FAKE_HF_TOKEN)
    with replay("hyperbolic/chat_completion_stream.yaml"):
        chunks = list(client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True))
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert _text(chunks) == (
        "Deep learning is a subset of machine learning that uses neural networks with multiple "
        "layers (hence the term"
    )
    assert chunks[-1].choices[0].finish_reason == "length"


async def test_async_chat_completion_routed(replay):
    async with AsyncInferenceClient(provider="hyperbolic", api_key=FAKE_HF_TOKEN) as client:
        with replay("hyperbolic/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA)
    assert out.usage.completion_tokens == 477


async def test_async_chat_completion_stream_routed(replay):
    async with AsyncInferenceClient(provider="hyperbolic", api_key=FAKE_HF_TOKEN) as client:
        with replay("hyperbolic/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            chunks = [chunk async for chunk in stream]
    assert _text(chunks).endswith("(hence the term")


# -- text-generation (a one-message chat) -----------------------------------------------


def test_text_generation_routed(replay, sent):
    client = InferenceClient(
        provider="hyperbolic", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with replay("hyperbolic/text_generation_synthetic.yaml"):
        out = client.text_generation(
            "The capital of France is",
            model="meta-llama/Llama-3.1-405B",
            max_new_tokens=8,
            temperature=0.1,
        )
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == " Paris, a city of"
    # A one-message chat, as huggingface.js and huggingface_hub send text generation.
    assert sent.urls[-1] == f"{ROUTER}/v1/chat/completions"
    body = json.loads(sent.requests[-1].content)
    assert body["messages"] == [{"role": "user", "content": "The capital of France is"}]
    assert "prompt" not in body
    assert body["max_tokens"] == 8  # max_new_tokens renamed


async def test_async_text_generation_routed(replay):
    async with AsyncInferenceClient(provider="hyperbolic", api_key=FAKE_HF_TOKEN) as client:
        with replay("hyperbolic/text_generation_synthetic.yaml"):
            out = await client.text_generation(
                "The capital of France is",
                model="meta-llama/Llama-3.1-405B",
                max_new_tokens=8,
                temperature=0.1,
            )
    assert out.generated_text == " Paris, a city of"


# -- text-to-image --------------------------------------------------------------------------


def test_text_to_image_routed(replay, sent):
    client = InferenceClient(
        provider="hyperbolic", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with replay("hyperbolic/text_to_image.yaml"):
        image = client.text_to_image(PROMPT, model=SD2)
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/png"
    assert image.provider == "hyperbolic"
    assert image.to_pil().size == (512, 512)
    # Routed, the router's OpenAI-style path; the body names the model `model_name` and
    # carries Hyperbolic's required size (512 x 512 when unset).
    assert sent.urls == [_lookup(SD2), f"{ROUTER}/v1/images/generations"]
    assert json.loads(sent.requests[-1].content) == {
        "prompt": PROMPT,
        "model_name": "SD2",
        "width": 512,
        "height": 512,
    }


def test_text_to_image_direct(replay, sent):
    client = InferenceClient(
        provider="hyperbolic", api_key=HYPERBOLIC_KEY, http_client=sent.client()
    )
    with replay("hyperbolic/text_to_image_direct_synthetic.yaml"):
        image = client.text_to_image(
            "A lighthouse at dusk",
            model="SDXL1.0-base",
            width=1024,
            height=1024,
            num_inference_steps=30,
            guidance_scale=5.0,
        )
    assert image.content_type == "image/png"
    assert image.to_pil().size == (8, 8)
    assert sent.urls == ["https://api.hyperbolic.xyz/v1/image/generation"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {HYPERBOLIC_KEY}"


async def test_async_text_to_image_routed(replay):
    async with AsyncInferenceClient(provider="hyperbolic", api_key=FAKE_HF_TOKEN) as client:
        with replay("hyperbolic/text_to_image.yaml"):
            image = await client.text_to_image(PROMPT, model=SD2)
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_async_text_to_image_direct(replay, sent):
    async with AsyncInferenceClient(
        provider="hyperbolic", api_key=HYPERBOLIC_KEY, http_client=sent.async_client()
    ) as client:
        with replay("hyperbolic/text_to_image_direct_synthetic.yaml"):
            image = await client.text_to_image(
                "A lighthouse at dusk",
                model="SDXL1.0-base",
                width=1024,
                height=1024,
                num_inference_steps=30,
                guidance_scale=5.0,
            )
    assert image.content_type == "image/png"
    assert sent.requests[0].headers["authorization"] == f"Bearer {HYPERBOLIC_KEY}"


def test_text_to_image_unsupported_parameter_is_refused_before_sending(sent):
    client = InferenceClient(
        provider="hyperbolic", api_key=HYPERBOLIC_KEY, http_client=sent.client()
    )
    with pytest.raises(InvalidInputError, match="scheduler"):
        client.text_to_image("A lighthouse", model="SDXL1.0-base", scheduler="euler")
    assert sent.requests == []


def test_text_to_image_wrong_prompt_type_is_refused_before_sending(sent):
    client = InferenceClient(
        provider="hyperbolic", api_key=HYPERBOLIC_KEY, http_client=sent.client()
    )
    with pytest.raises(InvalidInputError, match="prompt"):
        client.text_to_image(["not", "a", "string"], model="SDXL1.0-base")  # type: ignore[arg-type]
    assert sent.requests == []


class TestHyperbolicConformance(ProviderConformance):
    distribution = "infermux-hyperbolic"
    cassette_dir = CASSETTES / "hyperbolic"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "hyperbolic/text-to-image": [
            Sample(
                "hyperbolic_images", json_response({"images": [{"index": 0, "image": _PNG_B64}]})
            )
        ],
    }
