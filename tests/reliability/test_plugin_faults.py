"""A misbehaving plugin never takes the client down nor hides which plugin is at fault.

- A plugin that fails to import or registers garbage is skipped with a warning naming its
  distribution; every other provider keeps working on the same registry.
- A helper whose own code raises an unexpected exception (``prepare_payload`` raising
  ``RuntimeError``, ``parse_response`` raising ``ZeroDivisionError`` ...) surfaces as a
  :class:`~infermux.errors.HelperError` naming the provider, the helper class, the step
  and the distribution, with the original exception as ``__cause__``; the client goes on
  serving other calls. A crashing ``error_message`` never hides the provider's HTTP error.

Sync and async, against the scripted server on 127.0.0.1.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from infermux.errors import HelperError, InfermuxError, ServerError
from infermux.helpers.base import Call, FollowUp, HTTPRequest, Payload, Response, SSEEvent
from infermux.helpers.openai import OpenAIChatHelper
from infermux.registry.loader import PluginWarning, build_registry
from infermux.registry.store import ProviderRegistry, Registration
from infermux.types import ChatCompletionOutput
from tests.core.both_clients import collect, invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import LocalServer, Reply
from tests.core.test_faults import chat_body, chunk
from tests.core.test_loader import FakePlugins, plugins

__all__ = ["plugins"]  # the fixture, reused from the loader tests

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]
DISTRIBUTION = "infermux-crashy"


class CrashingChat(OpenAIChatHelper):
    """An OpenAI-compatible chat helper with a bug planted in one of its steps."""

    provider = "crashy"
    api_key_env = ("LOCAL_KEY",)
    routable = False
    needs_model_mapping = False

    def __init__(self, base_url: str, fail_in: str) -> None:
        self.base_url = base_url
        self.fail_in = fail_in

    def prepare_payload(self, call: Call) -> Payload:
        if self.fail_in == "prepare_payload":
            raise RuntimeError("the plugin's payload builder is broken")
        return super().prepare_payload(call)

    def parse_response(self, response: Response, call: Call) -> Any:
        if self.fail_in == "parse_response":
            return 1 / 0
        if self.fail_in == "parse_response_echo":
            raise ValueError(f"cannot parse {response.text}")
        if self.fail_in == "then":
            return FollowUp(HTTPRequest("GET", f"{self.base_url}/result"), self._then)
        return super().parse_response(response, call)

    def _then(self, response: Response) -> Any:
        return [][1]

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        if self.fail_in == "parse_stream_event":
            return {}["choices"]
        return super().parse_stream_event(event, call)

    def error_message(self, body: Any) -> str | None:
        if self.fail_in == "error_message":
            raise TypeError("error_message cannot read this")
        return super().error_message(body)


@pytest.fixture
def registry_with(local_registry: ProviderRegistry, local_server: LocalServer) -> Any:
    """``registry_with(fail_in)``: the local registry plus ``crashy``, broken in one step."""

    def make(fail_in: str) -> ProviderRegistry:
        helper = CrashingChat(local_server.url, fail_in)
        local_registry.add(Registration(helper, "crashy", DISTRIBUTION, "0.0.1"))
        return local_registry

    return make


def client(kind: str, registry: ProviderRegistry, **options: Any) -> Any:
    options.setdefault("timeout", 5.0)
    options.setdefault("max_retries", 0)
    return open_client(kind, model="local-model", registry=registry, **options)


def check_helper_error(exc: HelperError, stage: str, cause: type[BaseException]) -> None:
    assert exc.provider == "crashy"
    assert exc.helper == f"{__name__}.CrashingChat"
    assert exc.stage == stage
    assert exc.origin == DISTRIBUTION
    assert isinstance(exc.__cause__, cause)
    message = str(exc)
    for expected in ("CrashingChat", "'crashy'", DISTRIBUTION, stage, cause.__name__):
        assert expected in message
    assert LOCAL_KEY not in message
    assert LOCAL_KEY not in repr(exc)


# -- a helper raising inside its own code -----------------------------------------------------


async def test_prepare_payload_raising_is_a_helper_error_and_nothing_is_sent(
    kind, registry_with, local_server
):
    registry = registry_with("prepare_payload")
    async with client(kind, registry, provider="crashy") as c:
        with pytest.raises(HelperError) as raised:
            await invoke(c, "chat_completion", MESSAGES)
    check_helper_error(raised.value, "prepare_request", RuntimeError)
    assert "the plugin's payload builder is broken" in str(raised.value)
    assert local_server.requests == []


async def test_parse_response_raising_is_a_helper_error_and_the_client_keeps_working(
    kind, registry_with, local_server
):
    registry = registry_with("parse_response")
    local_server.queue(Reply(200, json=chat_body()), Reply(200, json=chat_body("still here")))
    async with client(kind, registry, hub_lookup=False) as c:
        with pytest.raises(HelperError) as raised:
            await invoke(c, "chat_completion", MESSAGES, model="org/m:crashy")
        # The same client, its connection pool and its registry serve the next call.
        out = await invoke(c, "chat_completion", MESSAGES, model="org/m:local")
    check_helper_error(raised.value, "parse_response", ZeroDivisionError)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content == "still here"
    assert len(local_server.requests) == 2


async def test_parse_stream_event_raising_closes_the_stream(kind, registry_with, local_server):
    registry = registry_with("parse_stream_event")
    local_server.queue(Reply(chunks=[chunk("Hel"), chunk("lo")], hold_open=True))
    async with client(kind, registry, provider="crashy") as c:
        stream = await invoke(c, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(HelperError) as raised:
            await collect(stream)
        assert local_server.requests[0].client_hung_up.wait(2.0)
    check_helper_error(raised.value, "parse_stream_event", KeyError)


async def test_follow_up_raising_is_a_helper_error(kind, registry_with, local_server):
    registry = registry_with("then")
    local_server.queue(Reply(200, json={"id": "job"}), Reply(200, json={"status": "done"}))
    async with client(kind, registry, provider="crashy") as c:
        with pytest.raises(HelperError) as raised:
            await invoke(c, "chat_completion", MESSAGES)
    check_helper_error(raised.value, "FollowUp.then", IndexError)
    assert [s.path for s in local_server.requests] == ["/v1/chat/completions", "/result"]


async def test_error_message_raising_never_hides_the_http_error(kind, registry_with, local_server):
    registry = registry_with("error_message")
    local_server.queue(Reply(500, json={"error": {"message": "the GPU caught fire"}}))
    async with client(kind, registry, provider="crashy") as c:
        with pytest.raises(ServerError) as raised:
            await invoke(c, "chat_completion", MESSAGES)
    assert raised.value.status_code == 500
    assert raised.value.provider_message == "the GPU caught fire"


async def test_a_crash_quoting_the_key_never_shows_it(kind, registry_with, local_server):
    registry = registry_with("parse_response_echo")
    local_server.queue(Reply(200, body=f"your key {LOCAL_KEY} is fine"))
    async with client(kind, registry, provider="crashy") as c:
        with pytest.raises(HelperError) as raised:
            await invoke(c, "chat_completion", MESSAGES)
    exc = raised.value
    assert "your key <redacted> is fine" in str(exc)
    assert exc.__cause__ is None  # the original quotes the key: it is not chained
    for text in (str(exc), repr(exc), str(exc.args)):
        assert LOCAL_KEY not in text


def test_helper_error_is_an_infermux_error():
    assert issubclass(HelperError, InfermuxError)
    assert not issubclass(HelperError, ValueError | KeyError | RuntimeError)


# -- plugins failing at discovery, end to end ----------------------------------------------------


def broken_plugins(fake: FakePlugins, base_url: str) -> None:
    """Three bad distributions beside one good one."""
    fake.distribution("infermux-broken", "1.0", broken=fake.module("raise ImportError('boom')\n"))
    garbage = fake.module(
        """
        @hookimpl
        def register_providers(register):
            register("not a helper")
        """
    )
    fake.distribution("infermux-garbage", "1.0", garbage=garbage)
    crashy = fake.module(
        textwrap.dedent(
            f"""
            from infermux.helpers.openai import OpenAIChatHelper

            class CrashyChat(OpenAIChatHelper):
                provider = "crashy"
                base_url = {base_url!r}
                api_key_env = ("LOCAL_KEY",)
                routable = False

                def parse_response(self, response, call):
                    return 1 / 0

            @hookimpl
            def register_providers(register):
                register(CrashyChat())
            """
        )
    )
    fake.distribution(DISTRIBUTION, "2.0", crashy=crashy)
    fake.plugin("infermux-fine", ("fine", "conversational"))


async def test_broken_plugins_are_named_and_the_rest_keep_working(
    kind, plugins, local_server, monkeypatch
):
    from infermux import register_openai_compatible
    from infermux.registry.loader import LoaderSettings

    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    broken_plugins(plugins, local_server.url)
    registry = build_registry(LoaderSettings(load_config_files=False))
    with pytest.warns(PluginWarning) as warned:  # plugins are imported when listed or used
        status = {info.distribution: info.status for info in registry.plugins}
    messages = [str(w.message) for w in warned]
    assert any("infermux-broken" in m and "ImportError: boom" in m for m in messages), messages
    assert any("infermux-garbage" in m and "TaskProviderHelper" in m for m in messages), messages
    assert len(messages) == 2
    assert status == {
        "infermux-broken": "failed",
        "infermux-garbage": "failed",
        DISTRIBUTION: "loaded",
        "infermux-fine": "loaded",
    }
    assert registry.providers() == ["crashy", "fine"]
    register_openai_compatible(
        "local", base_url=f"{local_server.url}/v1", api_key_env="LOCAL_KEY", registry=registry
    )
    local_server.queue(Reply(200, json=chat_body()), Reply(200, json=chat_body("ok")))
    async with client(kind, registry, hub_lookup=False) as c:
        with pytest.raises(HelperError) as raised:
            await invoke(c, "chat_completion", MESSAGES, model="org/m:crashy")
        out = await invoke(c, "chat_completion", MESSAGES, model="org/m:local")
    assert raised.value.origin == DISTRIBUTION
    assert raised.value.helper.endswith(".CrashyChat")
    assert DISTRIBUTION in str(raised.value)
    assert out.choices[0].message.content == "ok"


class NonStreamingChat(CrashingChat):
    """A chat helper that does not stream (an in-house one, say)."""

    provider = "plain-chat"
    supports_streaming = False


async def test_stream_true_on_a_helper_that_does_not_stream_fails_before_sending(
    kind, local_registry, local_server
):
    from infermux.errors import InvalidInputError

    helper = NonStreamingChat(local_server.url, fail_in="")
    local_registry.add(Registration(helper, "plain-chat"))
    async with client(kind, local_registry, provider="plain-chat") as c:
        with pytest.raises(InvalidInputError, match="plain-chat does not stream 'conversational'"):
            await invoke(c, "chat_completion", MESSAGES, stream=True)
    assert local_server.requests == []
