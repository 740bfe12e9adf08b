"""Model aliases for the Responses API (``responses``) and ``text-generation``.

The seed's tasks (chat and embeddings) are checked in ``test_provider_aliases.py`` and
``test_provider_aliases_b.py``; this file checks the two tasks added after them, the same
way. Each table is declared per task on the plugin's ``Provider`` (no fallback to the chat
table: Together's Responses API, for one, serves other models than its chat), reaches the
wire through both clients as the declared id with no Hub lookup, is what a call with no
model uses (``default``), gives way to the user's ``model_aliases=``, refuses a name it
does not define before sending, and is listed on the provider's page. A provider serving
one of these tasks without aliases is listed here too, and its page says why.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient, Provider
from infermux.aliases import ALIAS_NAMES
from infermux.errors import InvalidInputError
from infermux.registry.loader import get_registry
from tests.conftest import FAKE_HF_TOKEN, FAKE_PROVIDER_KEY, ROOT
from tests.core.both_clients import KINDS, invoke

TASKS = ("responses", "text-generation")
ALL = set(ALIAS_NAMES)
#: Raw completions have no tool use, so no ``agent``.
TEXT = {"default", "large", "small"}

#: Which aliases each (provider, task) declares. A provider gaining one of these tasks
#: must add it here (or to WITHOUT_ALIASES) on purpose.
ALIASED: dict[tuple[str, str], set[str]] = {
    ("groq", "responses"): ALL,
    ("openai", "responses"): ALL,
    # Together's Responses pages document no small model (see docs/providers/together.md).
    ("together", "responses"): {"default", "large"},
    ("deepinfra", "text-generation"): TEXT,
    ("featherless-ai", "text-generation"): TEXT,
    ("groq", "text-generation"): TEXT,
    ("hyperbolic", "text-generation"): TEXT,
    ("nebius", "text-generation"): TEXT,
    ("novita", "text-generation"): TEXT,
    ("scaleway", "text-generation"): TEXT,
    ("together", "text-generation"): TEXT,
}
#: Served without aliases; each page says why.
WITHOUT_ALIASES = {
    ("hf-inference", "text-generation"),
    ("ovhcloud", "text-generation"),
}

CASES = sorted(ALIASED)
ALIAS_CASES = [(p, t, a) for (p, t), names in sorted(ALIASED.items()) for a in sorted(names)]
#: Alias names a table lacks: each is refused, not sent as a model id.
MISSING = [(p, t, a) for (p, t), names in sorted(ALIASED.items()) for a in sorted(ALL - names)]

RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1,
    "status": "completed",
    "model": "m",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "hi", "annotations": []}],
        }
    ],
}
#: One body every text-generation route reads: raw completions (``choices[0].text``), the
#: one-message chat of groq and hyperbolic (``choices[0].message.content``) and TGI
#: (``generated_text``; hf-inference, with a user's alias).
COMPLETION = {
    "generated_text": "hi",
    "id": "cmpl-1",
    "object": "text_completion",
    "created": 1,
    "model": "m",
    "choices": [
        {
            "index": 0,
            "text": "hi",
            "message": {"role": "assistant", "content": "hi"},
            "finish_reason": "stop",
        }
    ],
}
#: The route each case's request must take (the path's end).
ROUTES = {
    ("groq", "text-generation"): "/chat/completions",
    ("hyperbolic", "text-generation"): "/chat/completions",
}


def _provider(name: str) -> Provider:
    """The plugin's ``Provider`` object, found through its entry point."""
    (entry,) = entry_points(group="infermux.providers", name=name)
    module = entry.load()
    found = [v for v in vars(module).values() if isinstance(v, Provider) and v.id == name]
    assert len(found) == 1, f"{entry.value} should define one Provider({name!r})"
    return found[0]


def _route(provider: str, task: str) -> str:
    default = "/responses" if task == "responses" else "/completions"
    return ROUTES.get((provider, task), default)


async def _call(
    kind: str,
    provider: str,
    task: str,
    model: str | None,
    aliases: dict[str, Any] | None = None,
    sent: list[httpx2.Request] | None = None,
) -> list[httpx2.Request]:
    """One call through a real client whose transport answers in-process; what was sent
    (into ``sent`` if given, so a call that raises still shows it)."""
    sent = [] if sent is None else sent
    answer = RESPONSE if task == "responses" else COMPLETION

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json=answer)

    transport = httpx2.MockTransport(handler)
    key = FAKE_HF_TOKEN if provider == "hf-inference" else FAKE_PROVIDER_KEY
    options = {"provider": provider, "api_key": key, "model_aliases": aliases}
    http: Any
    client: Any
    if kind == "sync":
        http = httpx2.Client(transport=transport)
        client = InferenceClient(http_client=http, **options)
    else:
        http = httpx2.AsyncClient(transport=transport)
        client = AsyncInferenceClient(http_client=http, **options)
    try:
        if task == "responses":
            await invoke(client.responses, "create", input="Hi", model=model)
        else:
            await invoke(client, "text_generation", "Once upon a time", model=model)
    finally:
        if kind == "sync":
            client.close()
            http.close()
        else:
            await client.aclose()
            await http.aclose()
    return sent


def _model_sent(sent: list[httpx2.Request], provider: str, task: str) -> str:
    """The one request's model id, after checking it went to the provider's own route."""
    assert len(sent) == 1
    (request,) = sent
    # An alias names the provider's own id: the Hub is never asked to map it.
    assert request.url.host != "huggingface.co"
    assert request.url.path.endswith(_route(provider, task)), request.url.path
    return str(json.loads(request.content)["model"])


def test_the_providers_serving_these_tasks_are_the_ones_listed_here():
    registry = get_registry()
    served = set()
    for provider in registry.providers():
        for task in TASKS:
            if task not in registry.tasks_for(provider):
                continue
            helper = registry.get(provider, task).helper
            if urlsplit(helper.base_url).hostname == "localhost":
                continue  # a local server serves whatever its user loaded: no table
            served.add((provider, task))
    assert served == set(ALIASED) | WITHOUT_ALIASES


@pytest.mark.parametrize(("provider", "task"), CASES)
def test_the_aliases_are_declared_on_the_provider_for_the_task(provider, task):
    declared = _provider(provider).aliases[task]
    assert set(declared) == ALIASED[(provider, task)]
    for alias, model_id in declared.items():
        assert isinstance(model_id, str)
        assert model_id, f"{provider} {task} {alias} is empty"
        assert model_id.strip() == model_id
        assert model_id not in ALIAS_NAMES, f"{provider} {task} {alias} names another alias"
    # The registered helper carries exactly the provider's table.
    assert get_registry().get(provider, task).helper.model_aliases == declared


@pytest.mark.parametrize(("provider", "task"), sorted(WITHOUT_ALIASES))
def test_a_task_listed_without_aliases_declares_none(provider, task):
    assert task not in _provider(provider).aliases
    assert get_registry().get(provider, task).helper.model_aliases == {}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("provider", "task", "alias"), ALIAS_CASES)
async def test_each_alias_reaches_the_wire_as_the_declared_id(kind, provider, task, alias):
    sent = await _call(kind, provider, task, alias)
    assert _model_sent(sent, provider, task) == _provider(provider).aliases[task][alias]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("provider", "task"), CASES)
async def test_no_model_at_all_uses_the_default_alias(kind, provider, task):
    sent = await _call(kind, provider, task, None)
    assert _model_sent(sent, provider, task) == _provider(provider).aliases[task]["default"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("provider", "task"), CASES)
async def test_a_users_alias_overrides_the_plugins(kind, provider, task):
    overrides = {provider: {task: {"large": "my-org/my-large-model"}}}
    sent = await _call(kind, provider, task, "large", overrides)
    assert _model_sent(sent, provider, task) == "my-org/my-large-model"
    # ... and only the alias it names: the others are still the plugin's.
    sent = await _call(kind, provider, task, "default", overrides)
    assert _model_sent(sent, provider, task) == _provider(provider).aliases[task]["default"]


@pytest.mark.parametrize(("provider", "task", "alias"), MISSING)
async def test_an_alias_the_table_lacks_is_refused_before_sending(provider, task, alias):
    sent: list[httpx2.Request] = []
    with pytest.raises(InvalidInputError, match=rf"{provider} has no '{alias}' alias for '{task}'"):
        await _call("sync", provider, task, alias, sent=sent)
    assert sent == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("provider", "task"), sorted(WITHOUT_ALIASES))
async def test_without_aliases_an_alias_or_no_model_is_refused_before_sending(kind, provider, task):
    sent: list[httpx2.Request] = []
    with pytest.raises(InvalidInputError, match=rf"{provider} has no 'large' alias for '{task}'"):
        await _call(kind, provider, task, "large", sent=sent)
    with pytest.raises(InvalidInputError, match=r"no 'default' alias"):
        await _call(kind, provider, task, None, sent=sent)
    assert sent == []
    # A user's own table makes the same call work.
    sent = await _call(kind, provider, task, None, {provider: {task: {"default": "org/mine"}}})
    assert len(sent) == 1


def _section(provider: str) -> str:
    text = (ROOT / "docs" / "providers" / f"{provider}.md").read_text(encoding="utf-8")
    assert "## Model aliases" in text, f"docs/providers/{provider}.md has no alias table"
    return text.split("## Model aliases", 1)[1].split("\n## ", 1)[0]


def _documented(provider: str) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in _section(provider).splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] in TASKS:
            task, alias, model = cells
            table.setdefault(task, {})[alias] = model
    return table


@pytest.mark.parametrize("provider", sorted({p for p, _ in ALIASED}))
def test_the_provider_page_lists_these_aliases(provider):
    declared = {t: dict(a) for t, a in _provider(provider).aliases.items() if t in TASKS}
    assert _documented(provider) == declared


@pytest.mark.parametrize(("provider", "task"), sorted(WITHOUT_ALIASES))
def test_the_provider_page_says_why_a_task_has_no_aliases(provider, task):
    section = " ".join(_section(provider).split())
    assert f"`{task}` has no aliases: " in section
    assert f"[aliases.{provider}.{task}]" in section
    assert task not in _documented(provider)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("provider", ["groq", "together"])
async def test_a_routed_responses_alias_reaches_the_router_as_id_colon_provider(kind, provider):
    # With a Hugging Face token the call goes to the router's /v1/responses, which names
    # the provider after a colon and takes Hub ids: why groq's table holds gpt-oss ids.
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json=RESPONSE)

    transport = httpx2.MockTransport(handler)
    options = {"provider": provider, "api_key": FAKE_HF_TOKEN}
    if kind == "sync":
        with (
            httpx2.Client(transport=transport) as http,
            InferenceClient(http_client=http, **options) as client,
        ):
            client.responses.create(input="Hi")
    else:
        async with (
            httpx2.AsyncClient(transport=transport) as http,
            AsyncInferenceClient(http_client=http, **options) as client,
        ):
            await client.responses.create(input="Hi")
    (request,) = sent  # no Hub lookup before it
    assert str(request.url) == "https://router.huggingface.co/v1/responses"
    default = _provider(provider).aliases["responses"]["default"]
    assert json.loads(request.content)["model"] == f"{default}:{provider}"
