"""Bad input fails before any request, with a message naming what was wrong and what is
valid. Every test runs on the sync and the async client; the HTTP client they are given
records any request that would have gone out, and the test fails if one did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import (
    ConfigurationError,
    InvalidInputError,
    MissingAPIKeyError,
    ServerError,
    UnknownProviderError,
    UnsupportedTaskError,
)
from infermux.registry.loader import get_registry
from tests.conftest import FAKE_HF_TOKEN, FAKE_PROVIDER_KEY
from tests.core.both_clients import invoke, run

MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"
MESSAGES = [{"role": "user", "content": "Hello"}]


class NothingSent:
    """HTTP clients whose transport records every request instead of sending it."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(599, text="a request was sent; the test expected none")

    def client(self, kind: str) -> Any:
        transport = httpx2.MockTransport(self._handle)
        if kind == "sync":
            return httpx2.Client(transport=transport)
        return httpx2.AsyncClient(transport=transport)


@pytest.fixture
def nothing_sent() -> Iterator[NothingSent]:
    guard = NothingSent()
    yield guard
    assert guard.requests == [], [str(r.url) for r in guard.requests]


@pytest.fixture
def make_client(kind: str, nothing_sent: NothingSent) -> Any:
    def make(**kwargs: Any) -> Any:
        cls = InferenceClient if kind == "sync" else AsyncInferenceClient
        kwargs.setdefault("http_client", nothing_sent.client(kind))
        return cls(**kwargs)

    return make


@pytest.fixture
def client(make_client: Any) -> Any:
    """A together client with a provider key: everything is in place but the input."""
    return make_client(provider="together", api_key=FAKE_PROVIDER_KEY, model=MODEL)


# -- provider, task, key ------------------------------------------------------------------


def test_unknown_provider_lists_the_installed_ones(make_client):
    with pytest.raises(UnknownProviderError) as raised:
        make_client(provider="togethr", api_key=FAKE_PROVIDER_KEY)
    message = str(raised.value)
    assert "'togethr'" in message
    installed = get_registry().providers()
    assert {"together", "hf-inference"} <= set(installed)
    assert f"Installed providers: {', '.join(installed)}." in message
    # The nearest name, and no install hint for a distribution that does not exist.
    assert "Did you mean 'together'?" in message
    assert "infermux-togethr" not in message
    assert isinstance(raised.value, ConfigurationError)


async def test_task_not_served_lists_the_tasks_served(client):
    with pytest.raises(UnsupportedTaskError) as raised:
        await invoke(client, "text_classification", "I love it", model="some/model")
    message = str(raised.value)
    served = get_registry().tasks_for("together")
    assert "conversational" in served
    assert "'together' does not serve task 'text-classification'" in message
    assert f"Tasks it serves: {', '.join(served)}." in message
    others = get_registry().providers_for("text-classification")
    assert "hf-inference" in others
    assert f"Providers installed for 'text-classification': {', '.join(others)}." in message


async def test_missing_key_names_the_provider_variable_and_hf_token(make_client):
    client = make_client(provider="together", model=MODEL)
    with pytest.raises(MissingAPIKeyError) as raised:
        await invoke(client, "chat_completion", MESSAGES)
    message = str(raised.value)
    assert "TOGETHER_API_KEY" in message
    assert "HF_TOKEN" in message
    assert "together" in message


async def test_direct_routing_with_only_an_hf_token_names_the_provider_variable(make_client):
    client = make_client(provider="together", model=MODEL, routing="direct", token=FAKE_HF_TOKEN)
    with pytest.raises(MissingAPIKeyError) as raised:
        await invoke(client, "chat_completion", MESSAGES)
    assert "TOGETHER_API_KEY" in str(raised.value)
    assert "never sent to a third-party host" in str(raised.value)
    assert FAKE_HF_TOKEN not in str(raised.value)


async def test_no_model_anywhere(make_client):
    # ovhcloud declares no aliases for text-generation (only for chat), so a call without a
    # model cannot pick one.
    client = make_client(provider="ovhcloud", api_key=FAKE_PROVIDER_KEY)
    with pytest.raises(InvalidInputError, match=r"No model given.*no 'default' alias.*model="):
        await invoke(client, "text_generation", "Once upon a time")


async def test_provider_cannot_honour_a_parameter(client):
    with pytest.raises(InvalidInputError) as raised:
        await invoke(client, "chat_completion", MESSAGES, tool_prompt="Use the tools")
    message = str(raised.value)
    assert "'tool_prompt'" in message
    assert "Parameters it supports:" in message
    assert "max_tokens" in message
    assert "extra_body" in message


# -- constructor arguments ----------------------------------------------------------------------


def test_api_key_and_token_both_given_and_different(make_client):
    with pytest.raises(InvalidInputError) as raised:
        make_client(provider="together", api_key=FAKE_PROVIDER_KEY, token=FAKE_HF_TOKEN)
    message = str(raised.value)
    assert "api_key=" in message
    assert "token=" in message
    assert "aliases" in message
    assert FAKE_PROVIDER_KEY not in message
    assert FAKE_HF_TOKEN not in message


def test_api_key_and_token_both_given_and_equal(make_client):
    client = make_client(provider="together", api_key=FAKE_PROVIDER_KEY, token=FAKE_PROVIDER_KEY)
    assert client.provider == "together"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"routing": "sideways"}, r"routing must be one of auto, direct, router, got 'sideways'"),
        ({"max_retries": -1}, r"max_retries must be an int >= 0, got -1"),
        ({"max_retries": True}, r"max_retries must be an int >= 0, got True"),
        ({"base_url": "ftp://files.example"}, r"base_url must start with http:// or https://"),
        ({"timeout": "30"}, r"timeout must be a number of seconds or None, got str"),
        ({"provider": 7}, r"provider must be a provider id string such as 'together', got int"),
        ({"api_key": 123}, r"api_key must be a string, got int"),
        ({"retry": 3}, r"retry must be an infermux.RetryPolicy, got int"),
    ],
)
def test_bad_constructor_arguments(make_client, kwargs, expected):
    with pytest.raises(InvalidInputError, match=expected):
        make_client(**kwargs)


# -- messages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ("Hello", r"messages must be a list of dicts like \[\{'role': 'user'.*got str"),
        ({"role": "user", "content": "Hi"}, r"messages must be a list of dicts.*got dict"),
        (None, r"messages must be a list of dicts.*got NoneType"),
        ([], r"messages must contain at least one message"),
        (["Hello"], r"messages\[0\] must be a dict like \{'role': 'user'.*got str"),
        (
            [{"content": "Hi"}],
            r"messages\[0\]\['role'\] must be one of system, developer, user, "
            r"assistant, tool, function, got None",
        ),
        (
            [{"role": "user", "content": "Hi"}, {"role": "robot", "content": "Beep"}],
            r"messages\[1\]\['role'\] must be one of system, .*user.*, got 'robot'",
        ),
        ([{"role": "user"}], r"messages\[0\] \(user\) needs a 'content'"),
        (
            [{"role": "user", "content": 42}],
            r"messages\[0\]\['content'\] must be a string or a list of content parts, got int",
        ),
        (
            [{"role": "user", "content": {"text": "Hi"}}],
            r"messages\[0\]\['content'\] must be a string or a list of content parts, got dict",
        ),
    ],
)
async def test_malformed_messages(client, messages, expected):
    with pytest.raises(InvalidInputError, match=expected):
        await invoke(client, "chat_completion", messages)


async def test_assistant_message_may_omit_content_for_tool_calls(client, nothing_sent):
    # Valid input: it gets as far as sending (to the recording transport).
    messages = [*MESSAGES, {"role": "assistant", "tool_calls": []}]
    with pytest.raises(ServerError, match="599"):  # the recording transport's answer
        await invoke(client, "chat_completion", messages)
    assert len(nothing_sent.requests) == 1
    nothing_sent.requests.clear()


async def test_openai_style_alias_validates_too(client):
    with pytest.raises(InvalidInputError, match="messages must be a list"):
        await run(client.chat.completions.create, model=MODEL, messages="Hello")


# -- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"max_tokens": "10"}, r"Parameter 'max_tokens' must be an integer, got str: '10'"),
        ({"max_tokens": 10.0}, r"Parameter 'max_tokens' must be an integer, got float: 10.0"),
        ({"max_tokens": True}, r"Parameter 'max_tokens' must be an integer, got bool: True"),
        ({"temperature": "hot"}, r"Parameter 'temperature' must be a number, got str: 'hot'"),
        ({"temperature": False}, r"Parameter 'temperature' must be a number, got bool"),
        ({"stream": "yes"}, r"stream must be True or False, got 'yes'"),
        ({"stream": 1}, r"stream must be True or False, got 1"),
        ({"stop": [1]}, r"Parameter 'stop' must be a string or a list of strings"),
        ({"stop": 5}, r"Parameter 'stop' must be a string or a list of strings, got int: 5"),
        ({"seed": 1.5}, r"Parameter 'seed' must be an integer, got float"),
        (
            {"tool_choice": 3},
            r"Parameter 'tool_choice' must be 'auto', 'none', 'required' or a "
            r"dict naming a tool, got int",
        ),
        (
            {"response_format": "json"},
            r"response_format must be a dict \(e.g. \{'type': "
            r"'json_object'\}\) or a pydantic model class, got str",
        ),
        ({"model": ""}, r"model must be a non-empty string, got ''"),
        ({"model": 5}, r"model must be a non-empty string, got 5"),
        ({"extra_body": [("a", 1)]}, r"extra_body must be a dict, got list"),
        ({"extra_body": "{}"}, r"extra_body must be a dict, got str"),
    ],
)
async def test_wrong_parameter_types(client, kwargs, expected):
    with pytest.raises(InvalidInputError, match=expected):
        await invoke(client, "chat_completion", MESSAGES, **kwargs)


@pytest.mark.parametrize(
    ("method", "kwargs", "name"),
    [
        ("chat_completion", {"logit_bias": [1, 2]}, "logit_bias"),
        ("chat_completion", {"stream_options": "include_usage"}, "stream_options"),
        ("text_generation", {"grammar": 5}, "grammar"),
    ],
)
async def test_mapping_parameters_of_the_wrong_type(client, method, kwargs, name):
    inputs = MESSAGES if method == "chat_completion" else "Once upon a time"
    with pytest.raises(InvalidInputError, match=rf"Parameter '{name}' must be a dict"):
        await invoke(client, method, inputs, **kwargs)


# -- tools --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ({"type": "function"}, r"tools must be a list of tool dicts, got dict"),
        (
            ["get_weather"],
            r"tools\[0\] must be \{'type': 'function', 'function': \{'name'.*"
            r"got 'get_weather'",
        ),
        (
            [{"type": "function", "name": "get_weather"}],
            r"tools\[0\] must be \{'type': "
            r"'function', 'function'",
        ),
        (
            [{"type": "function", "function": {"parameters": {}}}],
            r"tools\[0\]\['function'\] needs a 'name' string",
        ),
        (
            [
                {"type": "function", "function": {"name": "a"}},
                {"type": "function", "function": {"name": 3}},
            ],
            r"tools\[1\]\['function'\] needs a 'name' string",
        ),
    ],
)
async def test_malformed_tools(client, tools, expected):
    with pytest.raises(InvalidInputError, match=expected):
        await invoke(client, "chat_completion", MESSAGES, tools=tools)


# -- text inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("", r"prompt must not be empty"),
        ("   \n", r"prompt must not be empty"),
        (None, r"prompt must be a string, got NoneType"),
        (["a", "b"], r"prompt must be a string, got list"),
    ],
)
async def test_bad_prompt(client, prompt, expected):
    with pytest.raises(InvalidInputError, match=expected):
        await invoke(client, "text_generation", prompt)


async def test_bad_text_to_image_prompt(client):
    with pytest.raises(InvalidInputError, match="prompt must not be empty"):
        await invoke(client, "text_to_image", "", model="some/model")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ([], r"text must not be an empty list"),
        (["ok", ""], r"text\[1\] must not be empty"),
        (["ok", 3], r"text\[1\] must be a string, got int"),
        (b"bytes", r"text must be a string, got bytes"),
    ],
)
async def test_bad_embedding_inputs(client, text, expected):
    with pytest.raises(InvalidInputError, match=expected):
        await invoke(client, "feature_extraction", text)


async def test_invalid_input_error_is_a_value_error(client):
    with pytest.raises(ValueError, match="messages"):
        await invoke(client, "chat_completion", "Hello")
