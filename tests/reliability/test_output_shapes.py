"""Issue 14 item 8: outputs of the wrong shape are refused, naming the field.

The generated task types keep the spec's required output fields required (but for the few
providers are known to omit), so a body of unrelated objects is a ResponseFormatError
instead of a list of outputs full of ``None``; known alternative shapes are normalised by the
helpers first, and unknown extra fields stay allowed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infermux.errors import ResponseFormatError
from infermux.helpers.parsing import validate_list, validate_object
from tests.core.both_clients import invoke, open_client
from tests.core.localserver import Reply

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def client_for(kind, local_registry):
    def make() -> Any:
        return open_client(
            kind,
            provider="local",
            model="local-model",
            registry=local_registry,
            timeout=5.0,
            max_retries=0,
        )

    return make


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "queued"}, "choices"),
        ({"choices": [{"index": 0}]}, "choices.0.message"),
        ({"choices": [{"message": {"content": "Hi"}}]}, "choices.0.index"),
        ([{"id": 1}, {"id": 2}], None),  # not an object at all
    ],
    ids=["no-choices", "no-message", "no-index", "a-list"],
)
async def test_chat_body_of_the_wrong_shape_names_the_field(client_for, local_server, body, field):
    local_server.queue(Reply(200, json=body))
    async with client_for() as client:
        with pytest.raises(ResponseFormatError) as caught:
            await invoke(client, "chat_completion", MESSAGES)
    assert caught.value.field == field
    if field is not None:
        assert f"field {field!r}" in str(caught.value)
    assert "local-model" in str(caught.value)


async def test_unknown_extra_fields_are_kept(client_for, local_server):
    body = {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi", "reasoning": "brief"},
                "finish_reason": "stop",
                "provider_score": 0.5,
            }
        ],
        "x_provider_trace": {"region": "eu"},
    }
    local_server.queue(Reply(200, json=body))
    async with client_for() as client:
        out = await invoke(client, "chat_completion", MESSAGES)
    assert out.choices[0].message.content == "Hi"
    assert out.choices[0].message.reasoning == "brief"
    assert out.x_provider_trace == {"region": "eu"}
    assert out.model_extra == {"x_provider_trace": {"region": "eu"}}


def test_unrelated_objects_are_not_classification_outputs():
    from infermux.types import TextClassificationOutputElement, ZeroShotClassificationOutputElement

    for model in (TextClassificationOutputElement, ZeroShotClassificationOutputElement):
        with pytest.raises(ResponseFormatError) as caught:
            validate_list(model, [{"name": "x"}, {"size": 3}], "p", "text-classification")
        assert caught.value.field in ("0.label", "0.score")
    good = validate_list(
        TextClassificationOutputElement, [{"label": "POSITIVE", "score": 0.9, "extra": 1}], "p", "t"
    )
    assert good[0].label == "POSITIVE"
    assert good[0].extra == 1


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        ("ObjectDetectionOutputElement", [{"label": "cat", "score": 0.9}], "0.box"),
        ("TokenClassificationOutputElement", [{"word": "Paris"}], "0.score"),
        ("TextGenerationOutput", {"text": "hi"}, "generated_text"),
        ("AutomaticSpeechRecognitionOutput", {"transcript": "hi"}, "text"),
        ("FillMaskOutputElement", [{"score": 0.5, "token": 1, "token_str": "x"}], "0.sequence"),
    ],
)
def test_required_fields_of_the_spec_are_required(model, body, field):
    from infermux import types

    cls = getattr(types, model)
    validate = validate_list if isinstance(body, list) else validate_object
    with pytest.raises(ResponseFormatError) as caught:
        validate(cls, body, "p", "task")
    assert caught.value.field == field


def test_fields_providers_omit_stay_optional():
    from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput

    # together sends no system_fingerprint; OpenAI-style deltas carry role once.
    out = validate_object(
        ChatCompletionOutput,
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}}]},
        "p",
        "conversational",
    )
    assert out.system_fingerprint is None
    chunk = validate_object(
        ChatCompletionStreamOutput,
        {"choices": [{"index": 0, "delta": {"content": "Hi"}}]},
        "p",
        "conversational",
    )
    assert chunk.choices[0].delta.role is None


def test_zero_shot_answer_wrapped_in_a_one_item_list_is_normalised():
    from infermux.helpers.base import Call, ModelMapping, Response
    from infermux_hf_inference import HFInferenceZeroShotClassification

    helper = HFInferenceZeroShotClassification()
    call = Call(
        task="zero-shot-classification",
        inputs="I love it",
        model=ModelMapping("facebook/bart-large-mnli"),
        routing="direct",
        base_url=helper.base_url,
        parameters={"candidate_labels": ["positive", "negative"]},
    )

    def answer(body: Any) -> Response:
        return Response(200, {"content-type": "application/json"}, json.dumps(body).encode(), "u")

    wrapped = [{"sequence": "I love it", "labels": ["positive", "negative"], "scores": [0.9, 0.1]}]
    out = helper.parse_response(answer(wrapped), call)
    assert [(e.label, e.score) for e in out] == [("positive", 0.9), ("negative", 0.1)]
    with pytest.raises(ResponseFormatError) as caught:
        helper.parse_response(answer([{"sequence": "I love it"}]), call)
    assert caught.value.field == "0.label"
