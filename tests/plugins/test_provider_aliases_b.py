"""Seed model aliases of nebius, novita, nscale, nvidia, openai, ovhcloud, publicai,
replicate, together, wavespeed, zai-org, cerebras and cohere (the other first-party plugins
have theirs checked in a file of their own).

Every provider serving chat has ``default``, ``large``, ``small`` and ``agent``; every one
serving embeddings ``default``, ``large`` and ``small``. Each is declared on the plugin's
``Provider`` and reaches the wire through the client as the declared model id, with no Hub
lookup: the calls below go to a mock transport that answers every request and records it.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from typing import Any

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient, Provider
from infermux.errors import InvalidInputError
from infermux.registry.loader import get_registry
from tests.conftest import ROOT
from tests.core.both_clients import KINDS, invoke

#: The plugins this file covers, by provider id (= entry-point name).
PROVIDERS = (
    "cerebras",
    "cohere",
    "nebius",
    "novita",
    "nscale",
    "nvidia",
    "openai",
    "ovhcloud",
    "publicai",
    "replicate",
    "together",
    "wavespeed",
    "zai-org",
)
CHAT_ALIASES = {"default", "large", "small", "agent"}
EMBEDDING_ALIASES = {"default", "large", "small"}
#: Alias names per task; a task not listed here has no seed aliases to check.
SEED_ALIASES = {"conversational": CHAT_ALIASES, "feature-extraction": EMBEDDING_ALIASES}

#: Who serves what today: a task added to one of these plugins shows up here first.
SERVES_CHAT = {
    "cerebras",
    "cohere",
    "nebius",
    "novita",
    "nscale",
    "nvidia",
    "openai",
    "ovhcloud",
    "publicai",
    "together",
    "zai-org",
}
SERVES_EMBEDDINGS = {"nebius", "openai", "together"}

MESSAGES = [{"role": "user", "content": "Hi"}]
CHAT_REPLY = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
}
EMBEDDINGS_REPLY = {
    "object": "list",
    "model": "m",
    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5]}],
}
KEY = "provider-key-0123456789abcdef"


def _provider(provider_id: str) -> Provider:
    """The plugin's ``Provider`` object, found through its entry point."""
    (entry_point,) = entry_points(group="infermux.providers", name=provider_id)
    module = entry_point.load()
    providers = [value for value in vars(module).values() if isinstance(value, Provider)]
    assert len(providers) == 1, f"{provider_id}: expected one Provider in {module.__name__}"
    return providers[0]


def _served(task: str) -> set[str]:
    return {
        registration.helper.provider
        for registration in get_registry()
        if registration.helper.task == task and registration.helper.provider in PROVIDERS
    }


def _cases(tasks: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    return [
        (provider, task, alias)
        for task, providers in tasks.items()
        for provider in sorted(providers)
        for alias in sorted(SEED_ALIASES[task])
    ]


CASES = _cases({"conversational": SERVES_CHAT, "feature-extraction": SERVES_EMBEDDINGS})


def test_the_providers_serving_chat_and_embeddings_are_the_ones_checked_here():
    assert _served("conversational") == SERVES_CHAT
    assert _served("feature-extraction") == SERVES_EMBEDDINGS


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_the_entry_point_is_named_after_the_provider_and_its_hook_is_the_providers(provider_id):
    provider = _provider(provider_id)
    assert provider.id == provider_id
    (entry_point,) = entry_points(group="infermux.providers", name=provider_id)
    module = entry_point.load()
    registered: list[Any] = []
    module.register_providers(registered.append)
    # The hook registers the Provider itself; the core takes its helpers from it.
    assert registered == [provider]
    assert sorted(helper.task for helper in provider.helpers()) == provider.tasks


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_each_chat_and_embeddings_task_declares_the_seed_aliases_on_the_provider(provider_id):
    provider = _provider(provider_id)
    for task, names in SEED_ALIASES.items():
        if task not in provider.tasks:
            assert task not in provider.aliases, f"{provider_id} aliases a task it does not serve"
            continue
        declared = provider.aliases.get(task, {})
        assert set(declared) == names, f"{provider_id} {task}: {sorted(declared)}"
        assert all(isinstance(model, str) and model.strip() for model in declared.values())
        # The provider wrote them onto the helper the registry holds.
        helper = get_registry().get(provider_id, task).helper
        assert helper.model_aliases == declared


def _mock_client(kind: str, provider: str, sent: list[httpx2.Request], reply: dict[str, Any]):
    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json=reply)

    transport = httpx2.MockTransport(handler)
    if kind == "sync":
        http: Any = httpx2.Client(transport=transport)
        return http, InferenceClient(provider=provider, api_key=KEY, http_client=http)
    http = httpx2.AsyncClient(transport=transport)
    return http, AsyncInferenceClient(provider=provider, api_key=KEY, http_client=http)


async def _call(
    kind: str, provider: str, task: str, model: str | None, sent: list[httpx2.Request]
) -> None:
    chat = task == "conversational"
    http, client = _mock_client(kind, provider, sent, CHAT_REPLY if chat else EMBEDDINGS_REPLY)
    try:
        if chat:
            await invoke(client, "chat_completion", MESSAGES, model=model)
        else:
            await invoke(client, "feature_extraction", "Hi", model=model)
    finally:
        if kind == "sync":
            client.close()
            http.close()
        else:
            await client.aclose()
            await http.aclose()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("provider_id", "task", "alias"), CASES)
async def test_the_alias_reaches_the_wire_as_the_declared_id(kind, provider_id, task, alias):
    declared = _provider(provider_id).aliases[task][alias]
    sent: list[httpx2.Request] = []
    await _call(kind, provider_id, task, alias, sent)
    # One request, to the provider itself: an alias names the provider's own id, so the
    # Hub is never asked to map it.
    assert len(sent) == 1
    (request,) = sent
    assert request.url.host != "huggingface.co"
    assert json.loads(request.content)["model"] == declared


@pytest.mark.parametrize(
    ("provider_id", "task"),
    [("nvidia", "conversational"), ("together", "feature-extraction")],
)
async def test_no_model_means_the_default_alias(provider_id, task):
    sent: list[httpx2.Request] = []
    await _call("sync", provider_id, task, None, sent)
    assert json.loads(sent[0].content)["model"] == _provider(provider_id).aliases[task]["default"]


def test_the_users_override_wins_over_the_providers_alias():
    sent: list[httpx2.Request] = []
    overrides = {"zai-org": {"conversational": {"small": "glm-4.5-flash"}}}

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json=CHAT_REPLY)

    with (
        httpx2.Client(transport=httpx2.MockTransport(handler)) as http,
        InferenceClient(
            provider="zai-org", api_key=KEY, model_aliases=overrides, http_client=http
        ) as client,
    ):
        client.chat_completion(MESSAGES, model="small")
        client.chat_completion(MESSAGES, model="large")
    assert [json.loads(r.content)["model"] for r in sent] == [
        "glm-4.5-flash",
        _provider("zai-org").aliases["conversational"]["large"],
    ]


@pytest.mark.parametrize("provider_id", sorted(SERVES_EMBEDDINGS))
async def test_an_alias_the_provider_does_not_define_is_refused_before_sending(provider_id):
    # Embeddings have no "agent" alias: the name is refused, never sent as a model id.
    sent: list[httpx2.Request] = []
    with pytest.raises(InvalidInputError, match=rf"{provider_id} has no 'agent' alias"):
        await _call("sync", provider_id, "feature-extraction", "agent", sent)
    assert sent == []


def _documented_aliases(provider_id: str) -> dict[str, dict[str, str]]:
    text = (ROOT / "docs" / "providers" / f"{provider_id}.md").read_text(encoding="utf-8")
    assert "## Model aliases" in text, f"docs/providers/{provider_id}.md has no alias table"
    section = text.split("## Model aliases", 1)[1].split("\n## ", 1)[0]
    assert f'model_aliases={{"{provider_id}"' in section  # how to override, in code
    assert f"[aliases.{provider_id}." in section  # ... and in a config file
    table: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        # Every task's rows (responses and text-generation too: see test_provider_aliases_tasks).
        if line.startswith("|") and len(cells) == 3 and cells[1] in CHAT_ALIASES:
            task, alias, model = cells
            table.setdefault(task, {})[alias] = model
    return table


@pytest.mark.parametrize("provider_id", sorted(SERVES_CHAT | SERVES_EMBEDDINGS))
def test_the_provider_page_documents_the_aliases_it_declares(provider_id):
    assert _documented_aliases(provider_id) == _provider(provider_id).aliases
