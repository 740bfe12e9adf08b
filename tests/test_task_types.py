"""Tests of ``infermux.types``, the models generated from the Hugging Face task specs.

Real payloads come from the project's cassettes (recorded traffic imported from the
huggingface_hub test suite; see cassettes/README.md).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

import infermux.types as task_types
from infermux.types import (
    ChatCompletionInput,
    ChatCompletionInputJsonSchemaConfig,
    ChatCompletionOutput,
    ChatCompletionStreamOutput,
    FeatureExtractionOutput,
    TaskModel,
    TextClassificationOutput,
    TextGenerationOutput,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
CORE_SRC = REPO_ROOT / "core" / "src"
#: The project's own cassettes, imported from the real recordings (see cassettes/README.md).
CASSETTES = REPO_ROOT / "cassettes"


def _provider_responses(cassette: str) -> list[str]:
    """Bodies of the responses a cassette recorded from an inference provider."""
    data = yaml.safe_load((CASSETTES / cassette).read_text())
    bodies = []
    for interaction in data["interactions"]:
        uri = interaction["request"]["uri"]
        body = interaction["response"]["body"].get("string")
        if "huggingface.co/api/" in uri or not isinstance(body, str):
            continue  # model-info look-ups, not inference
        bodies.append(body)
    return bodies


def _sse_payloads(body: str) -> list[str]:
    payloads = []
    for line in body.splitlines():
        if line.startswith("data:"):
            payload = line.removeprefix("data:").strip()
            if payload != "[DONE]":
                payloads.append(payload)
    return payloads


# ------------------------------------------------------------------------------------------
# The public namespace
# ------------------------------------------------------------------------------------------


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert task_types.__all__ == sorted(set(task_types.__all__))
    assert "TaskModel" in task_types.__all__
    for name in task_types.__all__:
        value = getattr(task_types, name)
        assert value is not None, name
        assert name in dir(task_types)


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchTaskModel"):
        _ = task_types.NoSuchTaskModel


def _generated_modules() -> list[Any]:
    package = importlib.import_module("infermux.types._generated")
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]


def test_every_generated_model_is_exported_and_derives_from_task_model() -> None:
    modules = _generated_modules()
    names = {m.__name__.rsplit(".", 1)[1] for m in modules}
    for task in (
        "chat_completion",
        "text_generation",
        "feature_extraction",
        "text_to_image",
        "text_classification",
        "object_detection",
        "automatic_speech_recognition",
    ):
        assert {f"{task}_input", f"{task}_output"} <= names
    assert {"chat_completion_stream_output", "text_generation_stream_output"} <= names
    exported = set(task_types.__all__)
    count = 0
    for module in modules:
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module.__name__:
                count += 1
                assert name in exported, f"{module.__name__}.{name} is not exported"
                assert issubclass(obj, TaskModel), name
                # Built on first use (defer_build): building each one proves that its
                # references resolve (raise_errors names the one that does not).
                obj.model_rebuild(raise_errors=True)
                assert obj.__pydantic_complete__, f"{name} has unresolved references"
                assert getattr(task_types, name) is obj
    assert count > 100
    assert TaskModel.model_config.get("extra") == "allow"
    assert TaskModel.model_config.get("defer_build") is True
    assert TaskModel.model_config.get("populate_by_name") is True


def test_key_class_names() -> None:
    from infermux.types import (  # noqa: F401  (importing is the test)
        ChatCompletionInputMessage,
        ChatCompletionOutputComplete,
        ChatCompletionOutputMessage,
        ChatCompletionOutputToolCall,
        ChatCompletionStreamOutputChoice,
        ChatCompletionStreamOutputDelta,
        ChatCompletionStreamOutputDeltaToolCall,
        ObjectDetectionOutputElement,
        TextClassificationOutputElement,
        TextGenerationOutputDetails,
        TextGenerationStreamOutput,
        TextToImageParameters,
    )

    # Required by the spec, so required here (issue 14 item 8).
    assert (
        ChatCompletionOutput.model_fields["choices"].annotation
        == (list[ChatCompletionOutputComplete])
    )
    assert ChatCompletionOutput.model_fields["choices"].is_required()
    assert "tool_calls" in ChatCompletionOutputMessage.model_fields
    assert "delta" in ChatCompletionStreamOutputChoice.model_fields


def test_import_is_lazy() -> None:
    """``import infermux.types`` imports none of the per-task modules."""
    code = (
        "import json, sys\n"
        "import infermux.types\n"
        "before = sorted(m for m in sys.modules if m.startswith('infermux.types.'))\n"
        "infermux.types.TextToImageParameters\n"
        "after = sorted(m for m in sys.modules if m.startswith('infermux.types.'))\n"
        "print(json.dumps([before, after]))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(CORE_SRC), *filter(None, [env.get("PYTHONPATH")])])
    completed = subprocess.run(  # noqa: S603  (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    before, after = json.loads(completed.stdout)
    assert not [m for m in before if m.startswith("infermux.types._generated")], before
    # One module per spec: the parameters are an input; no output module, no other task.
    assert "infermux.types._generated.text_to_image_input" in after
    assert "infermux.types._generated.text_to_image_output" not in after
    assert not [m for m in after if m.startswith("infermux.types._generated.chat_completion")]


# ------------------------------------------------------------------------------------------
# Behaviour of the models
# ------------------------------------------------------------------------------------------

OPENAI_CHAT_RESPONSE: dict[str, Any] = {
    "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    "object": "chat.completion",
    "created": 1741570283,
    "model": "gpt-4o-2024-08-06",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc123",
                        "type": "function",
                        "function": {
                            "name": "get_weather",
                            "arguments": '{"location": "Paris"}',
                        },
                    }
                ],
                "refusal": None,
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 82,
        "completion_tokens": 17,
        "total_tokens": 99,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    },
    "service_tier": "default",
    "system_fingerprint": "fp_fc9f1d7035",
    "x_provider_field": {"kept": True},
}


def test_chat_completion_output_keeps_unknown_fields() -> None:
    output = ChatCompletionOutput.model_validate(OPENAI_CHAT_RESPONSE)
    assert output.model_extra == {
        "object": "chat.completion",
        "service_tier": "default",
        "x_provider_field": {"kept": True},
    }
    assert output.x_provider_field == {"kept": True}  # type: ignore[attr-defined]
    assert output.choices is not None
    choice = output.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message is not None
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.function is not None
    assert call.function.name == "get_weather"
    assert choice.message.model_extra == {"refusal": None, "annotations": []}
    assert output.usage is not None
    assert output.usage.total_tokens == 99
    assert output.usage.model_extra == {
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
    # Nothing is lost on the way back out.
    assert output.model_dump(mode="json", exclude_unset=True) == OPENAI_CHAT_RESPONSE
    assert ChatCompletionOutput.model_validate_json(output.model_dump_json()) == output


def test_chat_completion_output_from_together_recording() -> None:
    (body,) = _provider_responses("together/chat_completion.yaml")
    output = ChatCompletionOutput.model_validate_json(body)
    assert output.model_extra is not None
    assert output.model_extra["object"] == "chat.completion"
    assert output.model_extra["prompt"] == []
    assert output.choices is not None
    assert output.choices[0].message is not None
    assert (output.choices[0].message.content or "").startswith("Deep learning")
    assert output.choices[0].model_extra == {"seed": 3629048360264764400}
    assert output.model_dump(mode="json", exclude_unset=True) == json.loads(body)


STREAM_CASSETTES = [
    f"{provider}/chat_completion_stream.yaml"
    for provider in (
        "together",
        "hf-inference",
        "cerebras",
        "fireworks-ai",
        "hyperbolic",
        "nebius",
        "novita",
        "sambanova",
    )
]


@pytest.mark.parametrize("cassette", STREAM_CASSETTES, ids=lambda c: c.split("/")[0])
def test_chat_completion_stream_chunks_validate(cassette: str) -> None:
    payloads = [p for body in _provider_responses(cassette) for p in _sse_payloads(body)]
    assert payloads
    text = ""
    for payload in payloads:
        chunk = ChatCompletionStreamOutput.model_validate_json(payload)
        assert chunk.model_extra is not None
        assert chunk.model_extra.get("object") == "chat.completion.chunk"
        assert chunk.model_dump(mode="json", exclude_unset=True) == json.loads(payload)
        for choice in chunk.choices or []:
            if choice.delta is not None:
                text += choice.delta.content or ""
    assert "deep learning" in text.lower()


def test_together_stream_chunk_without_system_fingerprint() -> None:
    """together sends no ``system_fingerprint`` (required by the spec) and extra fields."""
    (body,) = _provider_responses(STREAM_CASSETTES[0])
    payload = _sse_payloads(body)[0]
    assert "system_fingerprint" not in json.loads(payload)
    chunk = ChatCompletionStreamOutput.model_validate_json(payload)
    assert chunk.system_fingerprint is None
    assert chunk.id == "91158e6ad8a0ef60"
    assert chunk.choices is not None
    choice = chunk.choices[0]
    assert choice.index == 0
    assert choice.finish_reason is None
    assert choice.model_extra == {"text": "Deep", "seed": None}
    assert choice.delta is not None
    assert choice.delta.role == "assistant"
    assert choice.delta.content == "Deep"
    assert choice.delta.tool_calls is None
    assert choice.delta.model_extra == {"token_id": 34564}


def test_hf_inference_stream_chunk() -> None:
    (body,) = _provider_responses(STREAM_CASSETTES[1])
    chunks = [ChatCompletionStreamOutput.model_validate_json(p) for p in _sse_payloads(body)]
    assert chunks[0].system_fingerprint == "3.2.1-native"
    assert chunks[0].model == "meta-llama/Llama-3.1-8B-Instruct"
    last = chunks[-1]
    assert last.choices is not None
    assert last.choices[0].finish_reason == "length"


def test_text_generation_output_with_details() -> None:
    (body,) = _provider_responses("hf-inference/text_generation_details.yaml")
    (raw,) = json.loads(body)  # hf-inference answers with a one-element list
    output = TextGenerationOutput.model_validate(raw)
    assert output.generated_text == ""
    details = output.details
    assert details is not None
    assert details.finish_reason == "length"
    assert details.generated_tokens == 1
    assert details.seed is None
    assert details.prefill is not None
    assert details.prefill[0].text == "<pad>"
    assert details.prefill[0].logprob is None  # the spec says "number"; TGI sends null
    assert details.tokens is not None
    token = details.tokens[0]
    assert (token.id, token.text, token.special) == (3, " ", False)
    assert token.logprob == pytest.approx(-2.0078125)
    assert output.model_dump(mode="json", exclude_unset=True) == raw


def test_output_enums_accept_other_values() -> None:
    output = TextGenerationOutput.model_validate(
        {"generated_text": "x", "details": {"finish_reason": "stop", "generated_tokens": 1}}
    )
    assert output.details is not None
    assert output.details.finish_reason == "stop"


def test_array_outputs_are_type_aliases() -> None:
    embeddings = TypeAdapter(FeatureExtractionOutput).validate_python([[0.1, 2], [3.5, -1.0]])
    assert embeddings == [[0.1, 2.0], [3.5, -1.0]]
    labels = TypeAdapter(TextClassificationOutput).validate_python(
        [{"label": "POSITIVE", "score": 0.99, "extra": 1}]
    )
    assert labels[0].label == "POSITIVE"
    assert labels[0].model_extra == {"extra": 1}


def test_inputs_keep_required_fields_and_aliases() -> None:
    with pytest.raises(ValidationError):
        ChatCompletionInput.model_validate({"model": "m"})
    request = ChatCompletionInput.model_validate(
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                    ],
                },
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": {"type": "object"}},
            },
            "tool_choice": "auto",
            "max_tokens": 20,
            "provider_specific": {"a": 1},
        }
    )
    assert request.model_extra == {"provider_specific": {"a": 1}}
    assert isinstance(request.response_format, BaseModel)
    dumped = request.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped["response_format"]["json_schema"]["schema"] == {"type": "object"}
    assert dumped["messages"][1]["content"][1]["image_url"] == {"url": "https://x/y.png"}
    assert dumped["provider_specific"] == {"a": 1}

    # "schema" would shadow BaseModel.schema: the attribute is `schema_`, the wire name "schema".
    by_alias = ChatCompletionInputJsonSchemaConfig(name="n", schema={"type": "object"})
    by_name = ChatCompletionInputJsonSchemaConfig.model_validate(
        {"name": "n", "schema_": {"type": "object"}}
    )
    assert by_alias == by_name
    assert by_alias.schema_ == {"type": "object"}
    assert by_alias.model_dump(by_alias=True, exclude_none=True) == {
        "name": "n",
        "schema": {"type": "object"},
    }


# ------------------------------------------------------------------------------------------
# The pinned source of the generated code
# ------------------------------------------------------------------------------------------

VENDORED = REPO_ROOT / "scripts" / "vendor" / "huggingface-tasks"
GENERATED = CORE_SRC / "infermux" / "types" / "_generated"


def test_the_generated_modules_come_from_the_vendored_specs() -> None:
    """Every generated module names the vendored version and spec files it came from, and
    those files are vendored: the generator's --check (make lint) runs on what is here."""
    version = json.loads((VENDORED / "package.json").read_text())["version"]
    assert (
        f"Source: @huggingface/tasks {version}." in (GENERATED.parent / "__init__.py").read_text()
    )
    modules = sorted(path for path in GENERATED.glob("*.py") if path.name != "__init__.py")
    assert modules
    for module in modules:
        header = module.read_text().splitlines()[3]
        prefix = f"# Source: @huggingface/tasks {version}, src/tasks/"
        assert header.startswith(prefix), (module.name, header)
        task, _, spec = header.removeprefix(prefix).partition("/spec/")
        kind = spec.removesuffix(".json")
        assert (VENDORED / "src" / "tasks" / task / "spec" / spec).is_file(), header
        # One module per spec, named after its task and kind.
        assert module.stem == f"{task.replace('-', '_')}_{kind}", (module.name, header)
    assert version in (VENDORED / "SOURCE.md").read_text()


@pytest.mark.slow  # converts every task spec (~1 min on two cores)
def test_the_generated_code_is_what_the_vendored_specs_give_without_npm() -> None:
    """The generator's --check passes with only the project's environment on PATH: no
    npm, no node, no network (the specs are vendored, the converter a dev dependency)."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": str(bin_dir)}
    completed = subprocess.run(  # noqa: S603 - our own script, by absolute path
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "generate_task_types.py"),
            "--check",
            "--full",  # convert every spec again, whatever the stamp says
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "files up to date" in completed.stdout
    assert "stamp" not in completed.stdout  # checked in full, and the stamp is current


def test_the_stamp_lets_make_lint_check_in_a_second() -> None:
    """The committed stamp matches the inputs and the generated files, so `make lint`'s
    --check compares digests instead of converting every spec (the test above, in CI,
    converts them all)."""
    completed = subprocess.run(  # noqa: S603 - our own script, by absolute path
        [sys.executable, str(REPO_ROOT / "scripts" / "generate_task_types.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "(stamp: same inputs, same files)" in completed.stdout


#: Threads validating with task models nobody has used yet (defer_build): the batch runner and
#: scale-out workers can do that, so each thread must get the same answer and the same errors.
_CONCURRENT_FIRST_USE = """
import json, threading
from pydantic import ValidationError
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput

assert not ChatCompletionOutput.__pydantic_complete__
ANSWER = json.dumps({"id": "c", "created": 1, "model": "m", "object": "chat.completion",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "hi"}}]})
CHUNK = json.dumps({"id": "c", "created": 1, "model": "m", "choices": [
    {"index": 0, "delta": {"role": "assistant", "content": "h"}}]})
barrier, results = threading.Barrier(8), []

def work():
    barrier.wait()
    out = ChatCompletionOutput.model_validate_json(ANSWER)
    chunk = ChatCompletionStreamOutput.model_validate_json(CHUNK)
    try:
        ChatCompletionOutput.model_validate({"choices": "not a list"})
    except ValidationError as exc:
        errors = [(e["loc"], e["type"]) for e in exc.errors()]
    results.append((out.model_dump(), chunk.model_dump(), errors))

threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert len(results) == 8 and all(r == results[0] for r in results), results
print(json.dumps(results[0], default=str))
"""


@pytest.mark.slow  # a fresh interpreter: about 2 s
def test_deferred_models_built_by_concurrent_first_uses_agree() -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", _CONCURRENT_FIRST_USE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer, chunk, errors = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["choices"][0]["message"]["content"] == "hi"
    assert chunk["choices"][0]["delta"]["content"] == "h"
    assert errors, "an invalid answer must fail validation in every thread"
