"""hf-inference end to end, sync and async, against real recorded traffic."""

from __future__ import annotations

import json

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient, RetryPolicy
from infermux.errors import AuthenticationError, BadRequestError, ModelLoadingError
from infermux.testing import FakeClock
from infermux.types import (
    ChatCompletionOutput,
    TextClassificationOutputElement,
    TextGenerationOutput,
    TextGenerationStreamOutput,
)
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
    assert (
        labels.response_info.request_id
        == "Root=1-67dd50b2-55f457c81f2eace5493d9489;a78504fc-e13b-4ec4-adaa-7769b6c3fb11"
    )
    assert out.response_info.provider == "hf-inference"
    assert out.response_info.model == LLAMA
    assert out.response_info.routing == "direct"  # hf-inference's own host is the router
    assert "response_info" not in out.model_dump()
    assert image.response_info.provider == "hf-inference"
    assert stream.response_info.request_id.startswith("Root=1-67dd7190")


# -- text generation (TGI's native API) ----------------------------------------------------

FLAN = "google/flan-t5-xxl"
FLAN_URL = "https://router.huggingface.co/hf-inference/models/google/flan-t5-xxl"
#: What every recorded flan-t5 call sent besides its own options (``stop: []`` included).
TGI_DEFAULTS = {"do_sample": False, "max_new_tokens": 1, "return_full_text": False, "stop": []}
GRAMMAR = {
    "type": "json",
    "value": {
        "properties": {
            "location": {"type": "string"},
            "activity": {"type": "string"},
            "animals_seen": {"type": "integer", "minimum": 1, "maximum": 5},
            "animals": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["location", "activity", "animals_seen", "animals"],
    },
}


def test_text_generation(replay, sent):
    client = InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with replay("hf-inference/text_generation.yaml"):
        out = client.text_generation("test", model=FLAN, details=False, **TGI_DEFAULTS)
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == ""
    assert out.details is None
    assert sent.urls == [FLAN_URL]  # no Hub lookup
    request = sent.requests[0]
    assert request.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert json.loads(request.content)["stream"] is False


def test_text_generation_details(client, replay):
    with replay("hf-inference/text_generation_details.yaml"):
        out = client.text_generation(
            "test", model=FLAN, details=True, decoder_input_details=True, **TGI_DEFAULTS
        )
    assert out.details.finish_reason == "length"
    assert out.details.generated_tokens == 1
    assert out.details.prefill[0].text == "<pad>"
    assert out.details.tokens[0].logprob == pytest.approx(-2.0078125)


def test_text_generation_best_of(client, replay):
    options = {**TGI_DEFAULTS, "do_sample": True}
    with replay("hf-inference/text_generation_best_of.yaml"):
        out = client.text_generation(
            "test", model=FLAN, best_of=2, details=True, decoder_input_details=True, **options
        )
    assert out.generated_text == "5"
    assert out.details.seed == 2835381823020158940
    assert out.details.best_of_sequences[0].generated_text == "10-"


def test_text_generation_grammar(client, replay):
    with replay("hf-inference/text_generation_grammar.yaml"):
        out = client.text_generation(
            "I saw a puppy a cat and a raccoon during my bike ride in the park",
            model="HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1",
            details=False,
            grammar=GRAMMAR,
            repetition_penalty=1.3,
            **{**TGI_DEFAULTS, "max_new_tokens": 100},
        )
    assert json.loads(out.generated_text) == {
        "activity": "biking",
        "animals": [],
        "animals_seen": 3,
        "location": "park",
    }


@pytest.mark.parametrize(
    ("cassette", "index"),
    [("text_generation_stream.yaml", None), ("text_generation_stream_details.yaml", 1)],
)
def test_text_generation_stream(client, replay, cassette, index):
    with replay(f"hf-inference/{cassette}"):
        chunks = list(
            client.text_generation("test", model=FLAN, details=True, stream=True, **TGI_DEFAULTS)
        )
    assert len(chunks) == 1
    chunk = chunks[0]
    assert isinstance(chunk, TextGenerationStreamOutput)
    assert chunk.index == index
    assert chunk.token.text == " "
    assert chunk.token.logprob == pytest.approx(-2.0078125)
    assert chunk.generated_text == ""
    assert chunk.details.finish_reason == "length"


def test_text_generation_validation_error(client, replay):
    with (
        replay("hf-inference/text_generation_validation_error.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        client.text_generation(
            "test", model=FLAN, details=False, **{**TGI_DEFAULTS, "max_new_tokens": 10000}
        )
    error = info.value
    assert error.status_code == 422
    assert error.provider == "hf-inference"
    assert error.provider_message == (
        "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 1512. "
        "Given: 2 `inputs` tokens and 10000 `max_new_tokens`"
    )
    assert error.body["error_type"] == "validation"


def test_text_generation_non_tgi_model_rejects_tgi_parameters(client, replay):
    """A transformers pipeline (not TGI) refuses TGI-only parameters with a 400; the same
    call without them works (the recording holds both answers)."""
    with replay("hf-inference/text_generation_non_tgi_regression.yaml") as tape:
        with pytest.raises(BadRequestError) as info:
            client.text_generation(
                "How are you today?",
                model="google/flan-t5-large",
                details=False,
                do_sample=False,
                max_new_tokens=20,
                return_full_text=True,
                stop=[],
            )
        out = client.text_generation(
            "How are you today?", model="google/flan-t5-large", do_sample=False, max_new_tokens=20
        )
    assert info.value.status_code == 400
    assert info.value.provider_message.startswith(
        "The following `model_kwargs` are not used by the model: ['return_full_text', 'stop', 'details']"
    )
    assert out.generated_text == "I am at work"
    assert tape.play_count == 2


async def test_async_text_generation(replay):
    async with AsyncInferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN) as client:
        with replay("hf-inference/text_generation_details.yaml"):
            out = await client.text_generation(
                "test", model=FLAN, details=True, decoder_input_details=True, **TGI_DEFAULTS
            )
        with replay("hf-inference/text_generation_stream_details.yaml"):
            stream = await client.text_generation(
                "test", model=FLAN, details=True, stream=True, **TGI_DEFAULTS
            )
            chunks = [chunk async for chunk in stream]
        with (
            replay("hf-inference/text_generation_validation_error.yaml"),
            pytest.raises(BadRequestError, match="Input validation error"),
        ):
            await client.text_generation(
                "test", model=FLAN, details=False, **{**TGI_DEFAULTS, "max_new_tokens": 10000}
            )
    assert out.details.tokens[0].text == " "
    assert chunks[0].index == 1


# -- a serverless model still loading (503 with estimated_time) ----------------------------

SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


def test_loading_model_is_waited_for(replay, sent):
    clock = FakeClock()
    client = InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, http_client=sent.client(), clock=clock
    )
    with replay("hf-inference/model_loading_synthetic.yaml") as tape:
        labels = client.text_classification("I like you", model=SST2)
    assert tape.play_count == 2
    assert len(sent.requests) == 2  # the same request, sent again after the wait
    assert clock.sleeps == [0.5]  # estimated_time 0.01, raised to the core's floor of 0.5 s
    assert labels[0].label == "POSITIVE"
    assert labels.response_info.request_id == "synthetic-loading-2"


def test_model_that_never_loads_exhausts_the_wait_budget(replay, sent):
    client = InferenceClient(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        http_client=sent.client(),
        retry=RetryPolicy(max_model_loading_wait=0.1),  # less than one wait
    )
    with (
        replay("hf-inference/model_loading_forever_synthetic.yaml"),
        pytest.raises(ModelLoadingError) as info,
    ):
        client.text_classification("I like you", model=SST2)
    assert info.value.status_code == 503
    assert info.value.provider_message == f"Model {SST2} is currently loading"
    assert len(sent.requests) == 1


def test_model_that_keeps_loading_stops_after_max_loading_retries(replay, sent):
    client = InferenceClient(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        http_client=sent.client(),
        retry=RetryPolicy(max_model_loading_retries=2),
    )
    with (
        replay("hf-inference/model_loading_forever_synthetic.yaml") as tape,
        pytest.raises(ModelLoadingError, match="currently loading"),
    ):
        client.text_classification("I like you", model=SST2)
    assert tape.play_count == 3  # the first answer and two waited retries
    assert len(sent.requests) == 3


def test_wait_for_model_off(replay):
    # With wait_for_model=False the core still retries a 503 as any 5xx (max_retries), so
    # retries are turned off too to see the loading answer itself.
    client = InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, wait_for_model=False, max_retries=0
    )
    with (
        replay("hf-inference/model_loading_synthetic.yaml") as tape,
        pytest.raises(ModelLoadingError, match="currently loading"),
    ):
        client.text_classification("I like you", model=SST2)
    assert tape.play_count == 1


async def test_async_loading_model(replay):
    async with AsyncInferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN) as client:
        with replay("hf-inference/model_loading_synthetic.yaml"):
            labels = await client.text_classification("I like you", model=SST2)
    async with AsyncInferenceClient(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        retry=RetryPolicy(max_model_loading_wait=0.1),
    ) as impatient:
        with (
            replay("hf-inference/model_loading_forever_synthetic.yaml"),
            pytest.raises(ModelLoadingError),
        ):
            await impatient.text_classification("I like you", model=SST2)
    assert labels[0].label == "POSITIVE"


def test_serverless_options_are_sent_as_headers_and_compute_type_surfaces(replay, sent):
    client = InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, use_cache=False, http_client=sent.client()
    )
    with replay("hf-inference/text_classification.yaml"):
        labels = client.text_classification(
            "I like you", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
        )
    headers = sent.requests[0].headers
    assert headers["x-wait-for-model"] == "true"
    assert headers["x-use-cache"] == "false"
    assert labels.response_info.provider == "hf-inference"

    fail_fast = InferenceClient(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        wait_for_model=False,
        http_client=sent.client(),
    )
    with replay("hf-inference/text_classification.yaml"):
        fail_fast.text_classification(
            "I like you", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
        )
    assert "x-wait-for-model" not in sent.requests[1].headers
    assert "x-use-cache" not in sent.requests[1].headers


def test_hf_inference_declares_the_serverless_request_budget():
    from infermux.registry.loader import get_registry

    helpers = [r.helper for r in get_registry() if r.helper.provider == "hf-inference"]
    assert helpers
    assert all(h.default_requests_per_minute == 3000 for h in helpers)
