"""``client.request()`` takes the provider's identity (base URL, key variable, auth, key
hosts) from its :class:`Provider` object, not from whichever task helper sorts first; a
plugin written against the helper-and-hook contract has no Provider and falls back to its
first task helper. Sync and async alike."""

from __future__ import annotations

import pytest

from infermux import Provider, hookimpl
from infermux.engine.identity import ProviderIdentity, provider_identity
from infermux.errors import BadRequestError, DuplicateProviderError
from infermux.helpers.openai import OpenAIChatHelper
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.registry.store import ProviderRegistry, Registration
from tests.core.both_clients import invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import Reply
from tests.core.test_provider import old_style_plugin, plugin_module

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


def split_provider(base_url: str) -> Provider:
    """A provider whose first task helper (``conversational``) has a base URL and a key
    variable of its own: what the old code borrowed for ``client.request()``."""
    acme = Provider("acme", base_url=base_url, key_env="LOCAL_KEY", routable=False)
    chat_root = f"{base_url}/chat-only"

    @acme.task
    class AcmeChat(OpenAIChatHelper):
        """Chat lives under a path of its own, with its own key."""

        base_url = chat_root
        api_key_env = ("ACME_CHAT_ONLY_KEY",)

    acme.openai_compatible("feature-extraction")
    return acme


def registry_with(**plugins: object) -> ProviderRegistry:
    return build_registry(
        LoaderSettings(allow=frozenset(plugins), load_config_files=False),
        extra_plugins=plugins,
    )


async def test_request_uses_the_provider_objects_identity(kind, local_server, monkeypatch):
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    monkeypatch.delenv("ACME_CHAT_ONLY_KEY", raising=False)
    acme = split_provider(local_server.url)
    registry = registry_with(
        acme=plugin_module("infermux_acme_test", register_providers=acme.hook())
    )
    assert registry.tasks_for("acme")[0] == "conversational"  # the helper the old code took
    local_server.queue(
        Reply(200, json={"results": [1]}),
        Reply(400, json={"error": {"message": "no such route", "type": "invalid"}}),
    )
    async with open_client(kind, provider="acme", registry=registry, max_retries=0) as client:
        assert await invoke(client, "request", "/v1/rerank", json={"q": 1}) == {"results": [1]}
        # The provider's own error message, found by its helpers' error_message.
        with pytest.raises(BadRequestError, match="no such route"):
            await invoke(client, "request", "/v1/missing", json={})
    first, second = local_server.requests
    assert (first.path, second.path) == ("/v1/rerank", "/v1/missing")  # not /chat-only/...
    assert first.headers["authorization"] == f"Bearer {LOCAL_KEY}"  # $LOCAL_KEY, the provider's


async def test_request_falls_back_to_the_first_helper_of_an_old_style_plugin(
    kind, local_server, monkeypatch
):
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    registry = registry_with(legacy=old_style_plugin(local_server.url))
    assert all(r.provider is None for r in registry if r.helper.provider == "legacy")
    local_server.queue(Reply(200, json={"ok": True}))
    async with open_client(kind, provider="legacy", registry=registry, max_retries=0) as client:
        assert await invoke(client, "request", "/v1/custom", json={}) == {"ok": True}
    (seen,) = local_server.requests
    assert seen.path == "/v1/custom"
    assert seen.headers["authorization"] == f"Bearer {LOCAL_KEY}"


def test_the_loader_keeps_the_provider_with_each_helper_it_owns():
    acme = split_provider("https://api.acme.example")

    class HandWritten:
        @hookimpl
        def register_providers(self, register):
            register(acme)

    for plugin in (
        plugin_module("infermux_acme_test", register_providers=acme.hook()),
        HandWritten(),
    ):
        registry = registry_with(acme=plugin)
        assert {r.helper.task: r.provider for r in registry} == {
            "conversational": acme,
            "feature-extraction": acme,
        }


def test_the_identity_holds_the_providers_settings_and_what_its_helpers_share():
    acme = split_provider("https://api.acme.example")
    registry = registry_with(
        acme=plugin_module("infermux_acme_test", register_providers=acme.hook())
    )
    identity = provider_identity(registry, "acme")
    assert isinstance(identity, ProviderIdentity)
    assert (identity.provider, identity.base_url, identity.api_key_env) == (
        "acme",
        "https://api.acme.example",
        ("LOCAL_KEY",),
    )
    assert identity.routable is False
    assert identity.requires_key is True  # shared by both helpers


def test_two_plugins_claiming_the_provider_are_named_before_a_custom_request():
    first, second = (split_provider(f"https://{h}.example") for h in ("one", "two"))
    registry = ProviderRegistry()
    registry.add(Registration(first.helper("conversational"), "acme", "dist-one", "1", first))
    registry.add(Registration(second.helper("conversational"), "acme", "dist-two", "1", second))
    with pytest.raises(DuplicateProviderError, match=r"dist-one.*dist-two"):
        provider_identity(registry, "acme")
