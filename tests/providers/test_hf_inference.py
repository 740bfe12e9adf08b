"""hf-inference end to end, sync and async, against real recorded traffic."""

from __future__ import annotations

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.errors import AuthenticationError
from infermux.types import ChatCompletionOutput, TextClassificationOutputElement
from tests.conftest import FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


@pytest.fixture
def client():
    return InferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN)


def test_chat_completion(client, replay, sent):
    client = InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with replay("hf-inference/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith("Deep learning is a subfield")
    assert out.system_fingerprint == "3.2.1-native"
    # No Hub lookup: hf-inference serves Hub ids as they are.
    assert sent.urls == [
        "https://router.huggingface.co/hf-inference/models/meta-llama/Llama-3.1-8B-Instruct/v1/chat/completions"
    ]


def test_chat_completion_stream(client, replay):
    with replay("hf-inference/chat_completion_stream.yaml"):
        stream = client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("Deep learning")
    assert chunks[-1].choices[0].finish_reason == "length"


def test_feature_extraction(client, replay):
    with replay("hf-inference/feature_extraction.yaml"):
        vectors = client.feature_extraction("Hi, who are you?", model="facebook/bart-base")
    # bart-base is not a sentence-transformer: one vector per token.
    assert len(vectors) == 1
    assert len(vectors[0][0]) == 768
    assert vectors[0][0][0] == pytest.approx(2.4248037338256836)


def test_text_to_image(client, replay, tmp_path):
    with replay("hf-inference/text_to_image.yaml"):
        image = client.text_to_image(
            "An astronaut riding a horse on the moon.", model="CompVis/stable-diffusion-v1-4"
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/jpeg"
    assert image.provider == "hf-inference"
    assert image.to_pil().size == (512, 512)


def test_text_classification(client, replay):
    with replay("hf-inference/text_classification.yaml"):
        labels = client.text_classification(
            "I like you", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
        )
    assert all(isinstance(label, TextClassificationOutputElement) for label in labels)
    assert [label.label for label in labels] == ["POSITIVE", "NEGATIVE"]
    assert labels[0].score == pytest.approx(0.9998695850372314)


def test_http_error_is_typed(replay):
    client = InferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN)
    with (
        replay("hf-inference/chat_completion_unauthorized.yaml"),
        pytest.raises(AuthenticationError) as info,
    ):
        client.chat_completion(
            [{"role": "user", "content": "Hi"}],
            model="meta-llama/Meta-Llama-3-70B-Instruct",
            max_tokens=200,
            stop=["Observation", "Final Answer"],
            # The recording sent a bare string as messages; extra_body passes it unvalidated.
            extra_body={"messages": "please output 'Observation'"},
        )
    error = info.value
    assert error.status_code == 401
    assert error.provider == "hf-inference"
    assert error.provider_message == "Invalid username or password."
    assert FAKE_HF_TOKEN not in str(error)


async def test_async_tasks(replay):
    async with AsyncInferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN) as client:
        with replay("hf-inference/text_classification.yaml"):
            labels = await client.text_classification(
                "I like you", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
            )
        with replay("hf-inference/feature_extraction.yaml"):
            vectors = await client.feature_extraction(
                "Hi, who are you?", model="facebook/bart-base"
            )
        with replay("hf-inference/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream])
    assert labels[0].label == "POSITIVE"
    assert len(vectors[0][0]) == 768
    assert text.startswith("Deep learning")


def test_results_carry_response_info(client, replay):
    with replay("hf-inference/text_classification.yaml"):
        labels = client.text_classification(
            "I like you", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
        )
    with replay("hf-inference/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    with replay("hf-inference/text_to_image.yaml"):
        image = client.text_to_image(
            "An astronaut riding a horse on the moon.", model="CompVis/stable-diffusion-v1-4"
        )
    with replay("hf-inference/chat_completion_stream.yaml"):
        stream = client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
        stream.close()
    assert labels == [labels[0], labels[1]]  # still a list
    assert labels.response_info.request_id == "Root=1-67dd50b2-55f457c81f2eace5493d9489;a78504fc-e13b-4ec4-adaa-7769b6c3fb11"
    assert out.response_info.provider == "hf-inference"
    assert out.response_info.model == LLAMA
    assert out.response_info.routing == "direct"  # hf-inference's own host is the router
    assert "response_info" not in out.model_dump()
    assert image.response_info.provider == "hf-inference"
    assert stream.response_info.request_id.startswith("Root=1-67dd7190")
