"""together end to end, sync and async: chat and text-to-image against real recorded traffic
(router), completions and embeddings against synthetic cassettes (see PROVENANCE.md).
Media tasks (image-to-image, video, speech) are in test_together_media.py."""

from __future__ import annotations

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.errors import InvalidInputError
from infermux.types import (
    ChatCompletionOutput,
    ChatCompletionStreamOutput,
    TextGenerationOutput,
    TextGenerationStreamOutput,
)
from tests.conftest import FAKE_HF_TOKEN, FAKE_PROVIDER_KEY

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


# -- text-generation (raw completions) and feature-extraction: synthetic cassettes ----------

QWEN = "Qwen/Qwen2.5-7B-Instruct"
QWEN_TOGETHER = "Qwen/Qwen2.5-7B-Instruct-Turbo"


def test_text_generation_routed(replay, sent):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("together/text_generation_synthetic.yaml"):
        out = client.text_generation(
            "The capital of France is", model=QWEN, max_new_tokens=12, temperature=0.2
        )
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == " Paris. It is known for the Eiffel Tower."
    assert sent.urls[-1] == "https://router.huggingface.co/together/v1/completions"
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_text_generation_stream_direct(replay, sent):
    client = InferenceClient(
        provider="together",
        api_key=FAKE_PROVIDER_KEY,
        hub_lookup=False,  # a Together model id: no Hub access needed
        http_client=sent.client(),
    )
    with replay("together/text_generation_stream_synthetic.yaml"):
        chunks = list(
            client.text_generation(
                "The capital of France is", model=QWEN_TOGETHER, max_new_tokens=5, stream=True
            )
        )
    assert all(isinstance(c, TextGenerationStreamOutput) for c in chunks)
    assert "".join(c.token.text for c in chunks) == " Paris. It is known"
    assert chunks[-1].details.finish_reason == "length"
    assert chunks[0].details is None
    assert sent.urls == ["https://api.together.xyz/v1/completions"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {FAKE_PROVIDER_KEY}"


async def test_async_text_generation(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/text_generation_synthetic.yaml"):
            out = await client.text_generation(
                "The capital of France is", model=QWEN, max_new_tokens=12, temperature=0.2
            )
    assert out.generated_text.startswith(" Paris.")


async def test_async_text_generation_stream(replay):
    async with AsyncInferenceClient(
        provider="together", api_key=FAKE_PROVIDER_KEY, hub_lookup=False
    ) as client:
        with replay("together/text_generation_stream_synthetic.yaml"):
            stream = await client.text_generation(
                "The capital of France is", model=QWEN_TOGETHER, max_new_tokens=5, stream=True
            )
            text = "".join([c.token.text async for c in stream])
    assert text == " Paris. It is known"


def test_text_generation_refuses_tgi_only_parameters():
    client = InferenceClient(provider="together", api_key=FAKE_PROVIDER_KEY)
    with pytest.raises(InvalidInputError, match="watermark"):
        client.text_generation("Hi", model=QWEN_TOGETHER, watermark=True)


def test_feature_extraction_routed(replay, sent):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("together/feature_extraction_synthetic.yaml"):
        vectors = client.feature_extraction(
            ["Today is a sunny day.", "It rains."], model="BAAI/bge-base-en-v1.5"
        )
    # Returned in input order, whatever the order of `data` in the body.
    assert vectors == [[-0.0203, 0.0518, 0.0127, -0.0442], [0.0112, -0.0421, 0.0334, 0.0051]]
    assert sent.urls[-1] == "https://router.huggingface.co/together/v1/embeddings"


async def test_async_feature_extraction(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/feature_extraction_synthetic.yaml"):
            vectors = await client.feature_extraction(
                ["Today is a sunny day.", "It rains."], model="BAAI/bge-base-en-v1.5"
            )
    assert len(vectors) == 2
    assert vectors[1][0] == pytest.approx(0.0112)


def test_feature_extraction_refuses_normalize():
    client = InferenceClient(provider="together", api_key=FAKE_PROVIDER_KEY)
    with pytest.raises(InvalidInputError, match="normalize"):
        client.feature_extraction("Hi", model="BAAI/bge-base-en-v1.5", normalize=True)


def test_common_sampling_options_are_honoured_or_refused(sent):
    import httpx2

    reply = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}]}
    http_client = httpx2.Client(
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json=reply))
    )
    together = InferenceClient(provider="together", api_key="tg-key", http_client=http_client)
    together.chat_completion(
        MESSAGES, model="m", top_k=40, top_p=0.9, temperature=0.2, max_tokens=5
    )
    groq = InferenceClient(provider="groq", api_key="gsk-key", http_client=http_client)
    with pytest.raises(ValueError, match="groq cannot honour 'top_k'"):
        groq.chat_completion(MESSAGES, model="m", top_k=40)
