"""Routing and keys: which way a call goes, with which key, and which hosts may see it."""

from __future__ import annotations

from pathlib import Path

import pytest

from infermux.auth import (
    DEFAULT_ROUTER_URL,
    Credential,
    choose_route,
    host_of,
    is_hf_token,
    read_hf_token,
)
from infermux.errors import (
    ConfigurationError,
    InvalidInputError,
    MissingAPIKeyError,
)
from infermux.helpers.base import AuthScheme, TaskProviderHelper

HF_TOKEN = "hf_" + "t" * 34
SAVED_TOKEN = "hf_" + "s" * 34
PROVIDER_KEY = "acme-provider-key-0123456789"
ENV_KEY = "acme-env-key-9876543210"

ROUTER_HOST = "router.huggingface.co"
HUB_HOST = "huggingface.co"


class Acme(TaskProviderHelper):
    provider = "acme"
    task = "conversational"
    base_url = "https://api.acme.example/"
    api_key_env = ("ACME_API_KEY", "ACME_KEY")
    key_url = "https://acme.example/keys"


class AcmeWithQueue(Acme):
    auth = AuthScheme("Authorization", "Key ")
    key_hosts = ("Queue.Acme.Example",)


class DirectOnly(Acme):
    provider = "direct-only"
    routable = False


class HubHosted(TaskProviderHelper):
    provider = "hub-hosted"
    task = "conversational"
    base_url = "https://inference.huggingface.example"
    uses_hf_token = True


class Keyless(Acme):
    provider = "keyless"
    api_key_env = ()
    requires_key = False
    routable = False


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment of our own: an empty HF_HOME, no keys."""
    return {"HF_HOME": str(tmp_path / "hf-home")}


def route(helper: TaskProviderHelper, env: dict[str, str], api_key: str | None = None, **kw):
    return choose_route(helper, api_key=api_key, environ=env, **kw)


def save_token(env: dict[str, str], token: str = SAVED_TOKEN) -> None:
    home = Path(env["HF_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "token").write_text(token + "\n", encoding="utf-8")


# -- auto routing: the key decides --------------------------------------------------------


def test_explicit_hf_token_goes_through_the_router(env):
    choice = route(Acme(), env, HF_TOKEN)
    assert choice.routing == "router"
    assert choice.base_url == f"{DEFAULT_ROUTER_URL}/acme"
    assert choice.credential is not None
    assert choice.credential.key == HF_TOKEN
    assert choice.credential.source == "api_key argument"
    assert choice.credential.hosts == {ROUTER_HOST, HUB_HOST}
    assert choice.credential.scheme == AuthScheme.bearer()
    assert choice.hub_credential is not None
    assert choice.hub_credential.key == HF_TOKEN


def test_explicit_provider_key_goes_direct(env):
    choice = route(Acme(), env, PROVIDER_KEY)
    assert choice.routing == "direct"
    assert choice.base_url == "https://api.acme.example"  # trailing slash dropped
    assert choice.credential is not None
    assert choice.credential.key == PROVIDER_KEY
    assert choice.credential.source == "api_key argument"
    assert choice.credential.hosts == {"api.acme.example"}
    assert choice.hub_credential is None


def test_provider_key_wins_over_hf_token_in_environment(env):
    env["HF_TOKEN"] = HF_TOKEN
    choice = route(Acme(), env, PROVIDER_KEY)
    assert choice.routing == "direct"
    assert choice.credential.key == PROVIDER_KEY
    # The HF token is still used for Hub lookups, and only there.
    assert choice.hub_credential.key == HF_TOKEN
    assert choice.hub_credential.hosts == {ROUTER_HOST, HUB_HOST}


def test_environment_key_goes_direct(env):
    env["ACME_API_KEY"] = f"  {ENV_KEY}\n"
    choice = route(Acme(), env)
    assert choice.routing == "direct"
    assert choice.credential.key == ENV_KEY
    assert choice.credential.source == "$ACME_API_KEY"


def test_environment_variables_are_tried_in_order(env):
    env["ACME_KEY"] = "second"
    assert route(Acme(), env).credential.source == "$ACME_KEY"
    env["ACME_API_KEY"] = "first"
    assert route(Acme(), env).credential.key == "first"


def test_empty_environment_key_is_no_key(env):
    env["ACME_API_KEY"] = "   "
    env["HF_TOKEN"] = HF_TOKEN
    assert route(Acme(), env).routing == "router"


def test_environment_provider_key_wins_over_hf_token_environment(env):
    env["ACME_API_KEY"] = ENV_KEY
    env["HF_TOKEN"] = HF_TOKEN
    choice = route(Acme(), env)
    assert choice.routing == "direct"
    assert choice.credential.key == ENV_KEY


def test_explicit_hf_token_wins_over_environment_provider_key(env):
    env["ACME_API_KEY"] = ENV_KEY
    choice = route(Acme(), env, HF_TOKEN)
    assert choice.routing == "router"
    assert choice.credential.key == HF_TOKEN


def test_explicit_provider_key_wins_over_environment_provider_key(env):
    env["ACME_API_KEY"] = ENV_KEY
    assert route(Acme(), env, PROVIDER_KEY).credential.key == PROVIDER_KEY


@pytest.mark.parametrize("variable", ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"])
def test_hf_token_environment_goes_through_the_router(env, variable):
    env[variable] = HF_TOKEN
    choice = route(Acme(), env)
    assert choice.routing == "router"
    assert choice.base_url == "https://router.huggingface.co/acme"
    assert choice.credential.key == HF_TOKEN
    assert choice.credential.source == "Hugging Face token"


def test_saved_token_file_under_hf_home_goes_through_the_router(env):
    save_token(env)
    choice = route(Acme(), env)
    assert choice.routing == "router"
    assert choice.credential.key == SAVED_TOKEN  # stripped of its newline


def test_token_file_named_by_hf_token_path(env, tmp_path):
    path = tmp_path / "elsewhere" / "my-token"
    path.parent.mkdir()
    path.write_text(SAVED_TOKEN, encoding="utf-8")
    env["HF_TOKEN_PATH"] = str(path)
    assert read_hf_token(env) == SAVED_TOKEN
    assert route(Acme(), env).credential.key == SAVED_TOKEN


def test_hf_token_environment_wins_over_saved_token(env):
    save_token(env)
    env["HF_TOKEN"] = HF_TOKEN
    assert read_hf_token(env) == HF_TOKEN


def test_empty_token_file_is_no_token(env):
    save_token(env, "  ")
    assert read_hf_token(env) is None


def test_no_key_at_all(env):
    with pytest.raises(MissingAPIKeyError) as raised:
        route(Acme(), env)
    message = str(raised.value)
    assert "ACME_API_KEY or ACME_KEY" in message
    assert "HF_TOKEN" in message  # the router is an alternative here
    assert "https://acme.example/keys" in message
    assert raised.value.provider == "acme"


# -- explicit routing ------------------------------------------------------------------------


def test_direct_with_only_an_hf_token_refuses_to_send_it_to_a_third_party(env):
    env["HF_TOKEN"] = HF_TOKEN
    with pytest.raises(MissingAPIKeyError) as raised:
        route(Acme(), env, routing="direct")
    message = str(raised.value)
    assert "ACME_API_KEY" in message
    assert "direct" in message
    assert "never sent to a third-party host" in message
    assert HF_TOKEN not in message


def test_direct_with_explicit_hf_token_refuses_too(env):
    with pytest.raises(MissingAPIKeyError, match="never sent to a third-party host"):
        route(Acme(), env, HF_TOKEN, routing="direct")


def test_direct_with_provider_key(env):
    env["HF_TOKEN"] = HF_TOKEN
    choice = route(Acme(), env, PROVIDER_KEY, routing="direct")
    assert (choice.routing, choice.credential.key) == ("direct", PROVIDER_KEY)


def test_router_with_provider_key_is_refused(env):
    with pytest.raises(MissingAPIKeyError) as raised:
        route(Acme(), env, PROVIDER_KEY, routing="router")
    message = str(raised.value)
    assert "never sent to the router" in message
    assert "routing='direct'" in message
    assert PROVIDER_KEY not in message


def test_router_with_only_an_environment_provider_key_is_refused(env):
    env["ACME_API_KEY"] = ENV_KEY
    with pytest.raises(MissingAPIKeyError, match="needs a Hugging Face token"):
        route(Acme(), env, routing="router")


def test_router_with_hf_token_even_when_a_provider_key_exists(env):
    env["ACME_API_KEY"] = ENV_KEY
    env["HF_TOKEN"] = HF_TOKEN
    choice = route(Acme(), env, routing="router")
    assert choice.routing == "router"
    assert choice.credential.key == HF_TOKEN
    assert choice.credential.hosts == {ROUTER_HOST, HUB_HOST}


def test_unknown_routing_mode(env):
    with pytest.raises(InvalidInputError, match=r"auto, direct, router.*'sideways'"):
        route(Acme(), env, PROVIDER_KEY, routing="sideways")


def test_custom_router_url(env):
    choice = route(Acme(), env, HF_TOKEN, router_url="https://gateway.corp.example/hf/")
    assert choice.routing == "router"
    assert choice.base_url == "https://gateway.corp.example/hf/acme"
    assert choice.credential.hosts == {"gateway.corp.example", HUB_HOST}
    assert choice.credential.allows("https://gateway.corp.example/hf/acme/v1/chat")
    assert not choice.credential.allows("https://router.huggingface.co/acme")


def test_custom_hub_url(env):
    choice = route(Acme(), env, HF_TOKEN, hub_url="https://hub.corp.example")
    assert choice.hub_credential.hosts == {ROUTER_HOST, "hub.corp.example"}


def test_base_url_override_moves_the_key_with_it(env):
    choice = route(Acme(), env, PROVIDER_KEY, base_url="https://eu.acme.example/")
    assert choice.base_url == "https://eu.acme.example"
    assert choice.credential.hosts == {"eu.acme.example"}
    assert not choice.credential.allows("https://api.acme.example/v1")


# -- helper flavours ---------------------------------------------------------------------------


def test_key_hosts_and_auth_scheme_of_the_helper(env):
    choice = route(AcmeWithQueue(), env, PROVIDER_KEY)
    assert choice.credential.hosts == {"api.acme.example", "queue.acme.example"}
    assert choice.credential.scheme.headers_for(PROVIDER_KEY) == {
        "Authorization": f"Key {PROVIDER_KEY}"
    }


def test_router_credential_is_always_bearer(env):
    choice = route(AcmeWithQueue(), env, HF_TOKEN)
    assert choice.credential.scheme == AuthScheme.bearer()


def test_non_routable_helper_with_only_an_hf_token(env):
    env["HF_TOKEN"] = HF_TOKEN
    with pytest.raises(MissingAPIKeyError) as raised:
        route(DirectOnly(), env)
    message = str(raised.value)
    assert "ACME_API_KEY" in message
    assert "router" not in message  # it cannot offer the router
    assert "never sent to a third-party host" in message


def test_non_routable_helper_goes_direct_with_its_key(env):
    env["HF_TOKEN"] = HF_TOKEN
    choice = route(DirectOnly(), env, PROVIDER_KEY)
    assert choice.routing == "direct"
    assert choice.credential.key == PROVIDER_KEY


def test_non_routable_helper_refuses_routing_router(env):
    with pytest.raises(ConfigurationError, match="not served by the Hugging Face router"):
        route(DirectOnly(), env, HF_TOKEN, routing="router")


@pytest.mark.parametrize("routing", ["auto", "direct", "router"])
def test_helper_using_hf_token_goes_direct_to_its_own_host(env, routing):
    choice = route(HubHosted(), env, HF_TOKEN, routing=routing)
    assert choice.routing == "direct"
    assert choice.base_url == "https://inference.huggingface.example"
    assert choice.credential.key == HF_TOKEN
    assert choice.credential.hosts == {ROUTER_HOST, HUB_HOST, "inference.huggingface.example"}


def test_helper_using_hf_token_reads_the_environment_and_the_saved_file(env):
    save_token(env)
    assert route(HubHosted(), env).credential.key == SAVED_TOKEN
    env["HF_TOKEN"] = HF_TOKEN
    assert route(HubHosted(), env).credential.key == HF_TOKEN


def test_helper_using_hf_token_without_one(env):
    with pytest.raises(MissingAPIKeyError) as raised:
        route(HubHosted(), env)
    assert "HF_TOKEN" in str(raised.value)
    assert "huggingface.co/settings/tokens" in str(raised.value)


def test_keyless_helper_goes_direct_without_a_credential(env):
    choice = route(Keyless(), env)
    assert choice.routing == "direct"
    assert choice.credential is None


def test_keyless_helper_never_receives_the_hf_token(env):
    env["HF_TOKEN"] = HF_TOKEN
    choice = route(Keyless(), env)
    assert choice.routing == "direct"
    assert choice.credential is None
    assert choice.hub_credential.key == HF_TOKEN


def test_keyless_helper_still_uses_a_key_given_to_it(env):
    choice = route(Keyless(), env, PROVIDER_KEY)
    assert choice.credential.key == PROVIDER_KEY
    assert choice.credential.hosts == {"api.acme.example"}


# -- Credential -------------------------------------------------------------------------------


def test_credential_repr_and_str_never_show_the_key():
    credential = Credential(PROVIDER_KEY, "$ACME_API_KEY", frozenset({"api.acme.example"}))
    for text in (repr(credential), str(credential), f"{credential}", repr([credential])):
        assert PROVIDER_KEY not in text
        assert "<hidden>" in text
        assert "$ACME_API_KEY" in text


def test_route_choice_repr_never_shows_the_key(env):
    for key in (PROVIDER_KEY, HF_TOKEN):
        assert key not in repr(route(Acme(), env, key))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.acme.example/v1/chat/completions", True),
        ("https://API.ACME.EXAMPLE/v1", True),
        ("https://queue.acme.example/jobs/1", True),
        ("https://acme.example/v1", False),
        ("https://evil.api.acme.example/v1", False),
        ("https://api.acme.example.evil.example/v1", False),
        ("https://api.acme.example@evil.example/v1", False),
        ("https://evil.example/?next=https://api.acme.example", False),
        ("https://cdn.acme.example/image.png", False),
        ("https://router.huggingface.co/acme", False),
        ("https://api.acme.example:8443/v1", False),
    ],
)
def test_credential_allows_only_its_own_hosts(url, allowed):
    credential = Credential(
        PROVIDER_KEY, "test", frozenset({"api.acme.example", "queue.acme.example"})
    )
    assert credential.allows(url) is allowed


def test_router_credential_never_allows_the_provider_host(env):
    credential = route(Acme(), env, HF_TOKEN).credential
    assert credential.allows("https://router.huggingface.co/acme/v1/chat/completions")
    assert credential.allows("https://huggingface.co/api/models/x")
    assert not credential.allows("https://api.acme.example/v1/chat/completions")


def test_direct_credential_never_allows_hugging_face_hosts(env):
    credential = route(Acme(), env, PROVIDER_KEY).credential
    assert not credential.allows("https://router.huggingface.co/acme/v1/chat/completions")
    assert not credential.allows("https://huggingface.co/api/models/x")


def test_credential_is_immutable():
    credential = Credential(PROVIDER_KEY, "test", frozenset({"api.acme.example"}))
    with pytest.raises(AttributeError):
        credential.hosts = frozenset({"evil.example"})  # type: ignore[misc]


# -- small pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Router.HuggingFace.co/together", "router.huggingface.co"),
        ("http://127.0.0.1:8080/v1", "127.0.0.1:8080"),
        ("https://user:pw@api.acme.example/x", "api.acme.example"),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


def test_is_hf_token():
    assert is_hf_token(HF_TOKEN)
    assert not is_hf_token(PROVIDER_KEY)
    assert not is_hf_token("HF_uppercase")


def test_key_hosts_domain_entry_covers_its_subdomains_only():
    from infermux.auth import Credential

    credential = Credential("k", "test", frozenset({"api.acme.ai", ".acme.ai"}))
    assert credential.allows("https://api.us1.acme.ai/v1/get_result?id=1")
    assert credential.allows("https://api.acme.ai/v1/x")
    assert not credential.allows("https://acme.ai.evil.com/x")
    assert not credential.allows("https://notacme.ai/x")
    assert not credential.allows("http://api.us1.acme.ai/x")  # never in cleartext
