"""The Provider object: identity and auth set once, helpers it owns, a one-line hook; and
plugins written against the helper-and-hook contract keeping working beside it."""

from __future__ import annotations

import textwrap
from types import ModuleType

import pytest

from infermux import InferenceClient, Provider, TaskProviderHelper, hookimpl
from infermux.errors import InvalidInputError, PluginError
from infermux.helpers.base import AuthScheme
from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper
from infermux.registry.loader import LoaderSettings, PluginWarning, build_registry
from infermux.testing import temporary_plugin
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import Reply
from tests.core.test_faults import chat_body

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "hi"}]


def acme_provider(base_url: str = "https://api.acme.example") -> Provider:
    acme = Provider(
        "acme",
        base_url=base_url + "/",
        key_env="ACME_KEY",
        key_page="https://acme.example/keys",
        key_hosts=("files.acme.example",),
        aliases={"conversational": {"default": "acme-large"}},
        max_batch_size={"feature-extraction": 2},
        routable=False,
        needs_model_mapping=False,
    )

    @acme.task
    class AcmeChat(OpenAIChatHelper):
        """Chat, with one attribute of its own."""

        key_hosts = ("chat.acme.example",)

    acme.openai_compatible("feature-extraction")
    return acme


def plugin_module(name: str, **attributes: object) -> ModuleType:
    module = ModuleType(name)
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


def test_the_provider_writes_its_settings_onto_the_helpers_it_owns():
    acme = acme_provider()
    assert acme.tasks == ["conversational", "feature-extraction"]
    chat, embeddings = acme.helpers()
    assert isinstance(chat, OpenAIChatHelper)
    assert isinstance(embeddings, OpenAIEmbeddingsHelper)
    for helper in (chat, embeddings):
        assert helper.provider == "acme"
        assert helper.base_url == "https://api.acme.example"
        assert helper.api_key_env == ("ACME_KEY",)
        assert helper.key_url == "https://acme.example/keys"
        assert helper.auth == AuthScheme.bearer()
        assert helper.routable is False
        assert helper.needs_model_mapping is False
    assert chat.key_hosts == ("chat.acme.example",)  # the class's own value is kept
    assert embeddings.key_hosts == ("files.acme.example",)
    assert chat.model_aliases == {"default": "acme-large"}
    assert embeddings.model_aliases == {}
    assert (chat.max_batch_size, embeddings.max_batch_size) == (None, 2)
    assert type(embeddings).__name__ == "AcmeEmbeddingsHelper"
    assert type(embeddings).__module__ == __name__
    assert repr(acme) == "<Provider 'acme' tasks=['conversational', 'feature-extraction']>"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Provider("Acme_1", base_url="https://a.example"), "invalid provider id"),
        (lambda: Provider("acme", base_url="ftp://a.example"), "base_url must be an http"),
        (
            lambda: Provider("acme", base_url="https://a", max_batch_size={"x": 0}),
            r"max_batch_size\['x'\] must be an int >= 1",
        ),
        (
            lambda: Provider("acme", base_url="https://a").openai_compatible("dance"),
            "no OpenAI-compatible helper for 'dance'",
        ),
        (lambda: Provider("acme", base_url="https://a").task(int), "TaskProviderHelper subclass"),
        (
            lambda: Provider("acme", base_url="https://a").task(TaskProviderHelper),
            "names no task",
        ),
        (
            lambda: Provider("acme", base_url="https://a").openai_compatible(
                "conversational", "conversational"
            ),
            "two helpers for 'conversational'",
        ),
        (lambda: Provider("acme", base_url="https://a").helper("conversational"), "no task"),
    ],
)
def test_mistakes_are_named(make, message):
    with pytest.raises(PluginError, match=message):
        make()


def test_a_provider_without_helpers_fails_its_plugin_by_name():
    empty = Provider("empty", base_url="https://empty.example")
    with pytest.warns(PluginWarning, match="provider 'empty' has no task helpers"):
        registry = build_registry(
            LoaderSettings(allow=frozenset({"empty"}), load_config_files=False),
            extra_plugins={"empty": plugin_module("empty", register_providers=empty.hook())},
        )
    (info,) = [info for info in registry.plugins if info.name == "empty"]
    assert info.status == "failed"
    assert "provider 'empty' has no task helpers" in (info.error or "")


def test_the_hook_registers_every_helper_with_provenance():
    acme = acme_provider()
    module = plugin_module("infermux_acme_test", register_providers=acme.hook())
    with temporary_plugin(module, name="acme", include_installed=False) as registry:
        assert registry.tasks_for("acme") == ["conversational", "feature-extraction"]
        registration = registry.get("acme", "feature-extraction")
        assert registration.plugin == "acme"
        assert type(registration.helper).__name__ == "AcmeEmbeddingsHelper"


def test_register_accepts_a_provider_inside_a_hand_written_hook():
    acme = acme_provider()

    class Plugin:
        @hookimpl
        def register_providers(self, register):
            register(acme)

    with temporary_plugin(Plugin(), name="acme", include_installed=False) as registry:
        assert registry.tasks_for("acme") == ["conversational", "feature-extraction"]


def old_style_plugin(base_url: str) -> ModuleType:
    """A plugin written against the helper-and-hook contract, as every plugin was: an
    identity mixin, helper subclasses, and a hand-written ``register_providers``."""
    source = textwrap.dedent(
        f"""
        from infermux import TaskProviderHelper, hookimpl
        from infermux.helpers.openai import OpenAIChatHelper

        class _Legacy:
            provider = "legacy"
            base_url = {base_url!r}
            api_key_env = ("LOCAL_KEY",)
            routable = False
            needs_model_mapping = False

        class LegacyChat(_Legacy, OpenAIChatHelper):
            pass

        @hookimpl
        def register_providers(register):
            register(LegacyChat())
        """
    )
    module = ModuleType("infermux_legacy_test")
    exec(compile(source, "<legacy plugin>", "exec"), module.__dict__)  # noqa: S102 - our source
    return module


def test_a_plugin_on_the_old_contract_and_one_on_provider_work_side_by_side(
    local_server, monkeypatch
):
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    acme = Provider("acme", base_url=local_server.url, key_env="LOCAL_KEY", routable=False)
    acme.openai_compatible("conversational")
    registry = build_registry(
        LoaderSettings(allow=frozenset({"acme", "legacy"}), load_config_files=False),
        extra_plugins={
            "acme": plugin_module("infermux_acme_test", register_providers=acme.hook()),
            "legacy": old_style_plugin(local_server.url),
        },
    )
    statuses = {info.name: info.status for info in registry.plugins}
    assert (statuses["acme"], statuses["legacy"]) == ("loaded", "loaded")
    local_server.queue(Reply(200, json=chat_body("from acme")), Reply(200, json=chat_body("old")))
    answers = []
    for provider in ("acme", "legacy"):
        with InferenceClient(provider=provider, registry=registry, hub_lookup=False) as client:
            answers.append(client.chat_completion(MESSAGES, model="m").choices[0].message.content)
    assert answers == ["from acme", "old"]
    first, second = local_server.requests
    assert first.path == second.path == "/v1/chat/completions"
    assert (
        first.headers["authorization"] == second.headers["authorization"] == f"Bearer {LOCAL_KEY}"
    )


def test_max_batch_size_refuses_a_longer_list_before_sending(sent):
    acme = acme_provider()
    with (
        temporary_plugin(
            plugin_module("infermux_acme_test", register_providers=acme.hook()),
            name="acme",
            include_installed=False,
        ) as registry,
        sent.client() as http,
    ):
        client = InferenceClient(provider="acme", api_key="k", registry=registry, http_client=http)
        with pytest.raises(InvalidInputError, match=r"at most 2 inputs.*got 3.*slices of 2"):
            client.feature_extraction(["a", "b", "c"], model="m")
    assert sent.requests == []


def test_temporary_plugin_takes_a_provider():
    with temporary_plugin(acme_provider(), include_installed=False) as registry:
        registration = registry.get("acme", "conversational")
        assert registration.plugin == "acme"
        assert registration.helper.key_url == "https://acme.example/keys"
