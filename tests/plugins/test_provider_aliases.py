"""The seed model aliases of baseten, black-forest-labs, clarifai, deepinfra, fal-ai,
fireworks-ai, groq, hf-inference and hyperbolic (issue 17).

Every chat task (``conversational``) of these providers has ``default``, ``large``,
``small`` and ``agent``; every embeddings task (``feature-extraction``) has ``default``,
``large`` and ``small``. Each alias is declared once, on the plugin's ``Provider``, reaches
the registered helper, resolves through the client to the declared id on the wire (an
in-process transport answers; nothing leaves the machine), gives way to a user's
``model_aliases=``, and is listed on the provider's docs page. A task without aliases
still refuses an alias name before any request. Each of these plugins is one
``Provider``: its helpers take their identity from it, and its hook registers them.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import unquote

import httpx2
import pytest

from infermux import InferenceClient, Provider
from infermux.aliases import ALIAS_NAMES
from infermux.errors import InvalidInputError
from infermux.registry.loader import get_registry
from tests.conftest import FAKE_HF_TOKEN, FAKE_PROVIDER_KEY, ROOT

#: The plugins this file covers (the other half has its own file).
PROVIDERS = (
    "baseten",
    "black-forest-labs",
    "clarifai",
    "deepinfra",
    "fal-ai",
    "fireworks-ai",
    "groq",
    "hf-inference",
    "hyperbolic",
)

#: The seed's alias names per task.
SEED = {
    "conversational": {"default", "large", "small", "agent"},
    "feature-extraction": {"default", "large", "small"},
}

#: Which of these providers serve chat or embeddings: a provider that loses (or gains) one
#: of these tasks must update its aliases, and this list, on purpose.
SERVED = {
    ("baseten", "conversational"),
    ("clarifai", "conversational"),
    ("deepinfra", "conversational"),
    ("deepinfra", "feature-extraction"),
    ("fireworks-ai", "conversational"),
    ("groq", "conversational"),
    ("hf-inference", "conversational"),
    ("hf-inference", "feature-extraction"),
    ("hyperbolic", "conversational"),
}

MESSAGES = [{"role": "user", "content": "Hello"}]
CHAT_ANSWER = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi!"},
            "finish_reason": "stop",
        }
    ],
}
#: Embeddings answers in each provider's own shape.
EMBEDDINGS_ANSWER: dict[str, Any] = {
    "deepinfra": {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
        "model": "m",
    },
    "hf-inference": [0.1, 0.2],
}


def _provider(name: str) -> Provider:
    """The ``Provider`` object of an installed plugin, found through its entry point."""
    (entry,) = entry_points(group="infermux.providers", name=name)
    module = importlib.import_module(entry.value)
    found = [v for v in vars(module).values() if isinstance(v, Provider) and v.id == name]
    assert len(found) == 1, f"{entry.value} should define one Provider({name!r})"
    return found[0]


CASES = sorted((name, task) for name in PROVIDERS for task in SEED if task in _provider(name).tasks)
ALIASES = [(name, task, alias) for name, task in CASES for alias in sorted(SEED[task])]


class Recorder:
    """An in-process transport that answers every request as the provider would."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(200, json=self.answer)

    def model_sent(self) -> str:
        """The model id of the one request sent: its body's ``model``, else its URL path."""
        (request,) = self.requests
        body = json.loads(request.content) if request.content else None
        if isinstance(body, dict) and "model" in body:
            return str(body["model"])
        return unquote(request.url.path)  # hf-inference names the model in the path


@pytest.fixture
def call() -> Iterator[Callable[..., Recorder]]:
    """``call(provider, task, model, aliases)``: one request through a real client."""
    opened: list[httpx2.Client] = []

    def run(
        provider: str, task: str, model: str | None, aliases: dict[str, Any] | None = None
    ) -> Recorder:
        answer = CHAT_ANSWER if task == "conversational" else EMBEDDINGS_ANSWER[provider]
        recorder = Recorder(answer)
        http = httpx2.Client(transport=httpx2.MockTransport(recorder))
        opened.append(http)
        key = FAKE_HF_TOKEN if provider == "hf-inference" else FAKE_PROVIDER_KEY
        with InferenceClient(
            provider=provider, api_key=key, http_client=http, model_aliases=aliases
        ) as client:
            if task == "conversational":
                client.chat_completion(MESSAGES, model=model)
            else:
                client.feature_extraction("Hello", model=model)
        return recorder

    yield run
    for http in opened:
        http.close()


def _assert_sent(recorder: Recorder, model_id: str) -> None:
    sent = recorder.model_sent()
    if sent.startswith("/"):  # a URL path: the id is one of its segments
        assert f"/{model_id}/" in f"{sent}/", (sent, model_id)
    else:
        assert sent == model_id


def test_the_chat_and_embeddings_tasks_are_the_expected_ones():
    assert set(CASES) == SERVED


@pytest.mark.parametrize(("provider", "task"), CASES)
def test_the_seed_aliases_are_declared_once_on_the_provider(provider, task):
    declared = _provider(provider).aliases[task]
    assert set(declared) == SEED[task]
    for alias, model_id in declared.items():
        assert isinstance(model_id, str)
        assert model_id, f"{provider} {task} {alias} is empty"
        assert model_id.strip() == model_id
        assert model_id not in ALIAS_NAMES, f"{provider} {task} {alias} names another alias"
    # The registered helper carries exactly the provider's table (nothing set twice).
    helper = get_registry().get(provider, task).helper
    assert helper.model_aliases == declared


@pytest.mark.parametrize(("provider", "task", "alias"), ALIASES)
def test_each_alias_reaches_the_wire_as_the_declared_id(call, provider, task, alias):
    recorder = call(provider, task, alias)
    _assert_sent(recorder, _provider(provider).aliases[task][alias])


@pytest.mark.parametrize(("provider", "task"), CASES)
def test_no_model_at_all_uses_the_default_alias(call, provider, task):
    recorder = call(provider, task, None)
    _assert_sent(recorder, _provider(provider).aliases[task]["default"])


@pytest.mark.parametrize(("provider", "task"), CASES)
def test_a_users_alias_overrides_the_plugins(call, provider, task):
    aliases = {provider: {task: {"small": "my-org/my-small-model"}}}
    recorder = call(provider, task, "small", aliases)
    _assert_sent(recorder, "my-org/my-small-model")


#: A task of each provider that declares no aliases, and how to call it.
WITHOUT_ALIASES: dict[str, tuple[str, str, tuple[Any, ...]]] = {
    "black-forest-labs": ("text-to-image", "text_to_image", ("A cat",)),
    "deepinfra": ("text-to-speech", "text_to_speech", ("Hello",)),
    "fal-ai": ("text-to-image", "text_to_image", ("A cat",)),
    "hf-inference": ("text-classification", "text_classification", ("Great!",)),
    "hyperbolic": ("text-to-image", "text_to_image", ("A cat",)),
}


@pytest.mark.parametrize("provider", sorted(WITHOUT_ALIASES))
def test_an_alias_name_is_refused_where_no_table_defines_it(provider):
    task, method, args = WITHOUT_ALIASES[provider]
    assert get_registry().get(provider, task).helper.model_aliases == {}
    recorder = Recorder({})
    key = FAKE_HF_TOKEN if provider == "hf-inference" else FAKE_PROVIDER_KEY
    with (
        httpx2.Client(transport=httpx2.MockTransport(recorder)) as http,
        InferenceClient(provider=provider, api_key=key, http_client=http) as client,
        pytest.raises(InvalidInputError, match=rf"{provider} has no 'large' alias for '{task}'"),
    ):
        getattr(client, method)(*args, model="large")
    assert recorder.requests == []


def _page(provider: str) -> str:
    return (ROOT / "docs" / "providers" / f"{provider}.md").read_text(encoding="utf-8")


def _documented_aliases(provider: str) -> dict[str, dict[str, str]]:
    text = _page(provider)
    assert "## Model aliases" in text, f"docs/providers/{provider}.md has no alias table"
    section = text.split("## Model aliases", 1)[1].split("\n## ", 1)[0]
    # Where users override them: in code and in the config file.
    assert "model_aliases=" in section
    assert "[aliases." in section
    table: dict[str, dict[str, str]] = {}
    for row in section.splitlines():
        cells = [c.strip().strip("`") for c in row.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1] in ALIAS_NAMES:
            table.setdefault(cells[0], {})[cells[1]] = cells[2]
    return table


@pytest.mark.parametrize("provider", sorted({name for name, _ in CASES}))
def test_the_provider_page_lists_its_aliases(provider):
    assert _documented_aliases(provider) == _provider(provider).aliases


@pytest.mark.parametrize("provider", sorted(set(PROVIDERS) - {name for name, _ in CASES}))
def test_a_provider_without_chat_or_embeddings_declares_no_aliases(provider):
    assert _provider(provider).aliases == {}
    assert not re.search(r"^## Model aliases", _page(provider), re.MULTILINE)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_plugin_is_one_provider_whose_hook_registers_its_helpers(provider):
    owner = _provider(provider)
    (entry,) = entry_points(group="infermux.providers", name=provider)
    registered: list[Any] = []
    importlib.import_module(entry.value).register_providers(registered.append)
    # The hook registers the Provider itself; the core takes its helpers from it.
    assert registered == [owner]
    helpers = owner.helpers()
    assert sorted(h.task for h in helpers) == owner.tasks
    for helper in helpers:
        assert type(helper) is type(owner.helper(helper.task))
        assert get_registry().get(provider, helper.task).helper.__class__ is type(helper)
        # The identity is the provider's, written once on it.
        assert (helper.provider, helper.api_key_env, helper.key_url, helper.auth) == (
            owner.id,
            owner.key_env,
            owner.key_page,
            owner.auth,
        )
        assert helper.key_hosts == owner.key_hosts
        assert helper.base_url == owner.base_url
