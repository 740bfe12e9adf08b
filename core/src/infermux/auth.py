"""Keys and routing: which key a call uses, which way it goes, and which hosts may see it.

Keys come from the ``api_key`` argument, then the provider's environment variables, then
the Hugging Face token (``HF_TOKEN``, ``HUGGING_FACE_HUB_TOKEN`` or the saved token file).
A Hugging Face token routes through the Hugging Face router; a provider key goes direct.
A key is attached only to requests whose host it belongs to.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from infermux.errors import ConfigurationError, InvalidInputError, MissingAPIKeyError
from infermux.helpers.base import AuthScheme, Routing, TaskProviderHelper
from infermux.keystore import keys_identity, stored_key
from infermux.upstream import environ_data

__all__ = [
    "DEFAULT_HUB_URL",
    "DEFAULT_ROUTER_URL",
    "Credential",
    "RoutingChoice",
    "choose_route",
    "host_of",
    "http_origins",
    "is_hf_token",
    "is_url",
    "read_hf_token",
    "route_inputs",
]

DEFAULT_ROUTER_URL = "https://router.huggingface.co"
DEFAULT_HUB_URL = "https://huggingface.co"

RoutingMode = Literal["auto", "direct", "router"]
ROUTING_MODES: tuple[str, ...] = ("auto", "direct", "router")


@lru_cache(maxsize=1024)  # every request asks it (may the key go there?) of a few URLs
def host_of(url: str) -> str:
    """The lowercase host (with port, if any) of a URL."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


def is_url(value: str | None) -> bool:
    """Whether ``value`` is an http(s) URL (a dedicated endpoint) rather than a model id."""
    return bool(value) and str(value).startswith(("http://", "https://"))


def is_hf_token(key: str) -> bool:
    """Hugging Face user, organisation and OAuth tokens all start with ``hf_``."""
    return key.startswith("hf_")


def read_hf_token(environ: Mapping[str, str] | None = None) -> str | None:
    """The Hugging Face token from the environment or the file ``huggingface-cli login`` saves."""
    env = os.environ if environ is None else environ
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return value
    try:
        return Path(_hf_token_path(env)).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _hf_token_path(env: Mapping[str, str]) -> str:
    token_path = env.get("HF_TOKEN_PATH")
    if not token_path:
        hf_home = env.get("HF_HOME") or os.path.join(
            env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "huggingface",
        )
        token_path = os.path.join(hf_home, "token")
    return token_path


#: Variables ``read_hf_token`` reads (HOME through ``expanduser``).
_HF_TOKEN_VARIABLES = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HOME",
    "XDG_CACHE_HOME",
    "HOME",
)
_HF_TOKEN_VALUES = slice(0, 2)  # HF_TOKEN, HUGGING_FACE_HUB_TOKEN
_TOKEN_PATH_VALUES = slice(2, 6)  # what the token file's path depends on

# os.environ.get() of an unset name raises and catches a KeyError inside, and route_inputs
# asks for several unset names per call: read the dict underneath os.environ (CPython's
# _Environ keeps the encoded environment there) and compare raw values, which is ~10x
# cheaper. Elsewhere, or for an explicit mapping, plain .get() is used.
# (a private API of CPython's: see infermux.upstream)
_ENVIRON = environ_data()
_ENVIRON_DATA: dict[Any, Any] | None = _ENVIRON[0] if _ENVIRON else None
_ENCODE_NAME: Any = _ENVIRON[1] if _ENVIRON else None
_token_paths: dict[tuple[object, ...], str] = {}


@cache
def _encoded_names(names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(_ENCODE_NAME(name) for name in names) if _ENCODE_NAME else names


@cache
def _route_variables(api_key_env: tuple[str, ...]) -> tuple[str, ...]:
    return (*_HF_TOKEN_VARIABLES, *api_key_env)


def route_inputs(
    helper: TaskProviderHelper, environ: Mapping[str, str] | None = None
) -> tuple[object, ...]:
    """What :func:`choose_route` reads outside its arguments, for ``helper``: the variables
    (the Hugging Face token's, the provider's key variables) and the saved token file's
    identity. Equal inputs (and arguments) give an equal route, so the engine computes a
    route once and reuses it while these stay the same, instead of reading the token file
    on every call. Keep this in step with ``choose_route`` and ``read_hf_token``."""
    names = _route_variables(tuple(helper.api_key_env))
    if environ is None and _ENVIRON_DATA is not None:
        data = _ENVIRON_DATA
        values: tuple[object, ...] = tuple(data.get(name) for name in _encoded_names(names))
        env: Mapping[str, str] = os.environ
    else:
        env = os.environ if environ is None else environ
        values = tuple(env.get(name) for name in names)
    # A saved key (infermux keys) is read when no key variable of the provider is set.
    if not any(value and value.strip() for value in values[len(_HF_TOKEN_VARIABLES) :]):  # type: ignore[attr-defined]
        values = (*values, keys_identity(env))
    if any(value and value.strip() for value in values[_HF_TOKEN_VALUES]):  # type: ignore[attr-defined]
        return values  # a token variable wins: the token file is not read
    where = values[_TOKEN_PATH_VALUES]
    token_path = _token_paths.get(where)
    if token_path is None:
        if len(_token_paths) >= 64:
            _token_paths.clear()
        token_path = _token_paths[where] = _hf_token_path(env)
    try:
        stat = os.stat(token_path)
    except OSError:
        return values
    return (*values, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def http_origins(*urls: str) -> frozenset[str]:
    """The plain-HTTP origins (``http://host:port``) among ``urls``: the only places a key
    may travel in cleartext, because the user configured that very URL for it."""
    return frozenset(f"http://{host_of(url)}" for url in urls if url.startswith("http://"))


@dataclass(frozen=True, slots=True)
class Credential:
    """A key and the hosts it may be sent to. Its repr never shows the key."""

    key: str = field(repr=False)
    source: str
    hosts: frozenset[str]
    scheme: AuthScheme = field(default_factory=AuthScheme.bearer)
    #: The exact ``http://`` origins the user configured for this key (a local
    #: ``base_url``); every other host gets the key over HTTPS only.
    http_origins: frozenset[str] = frozenset()

    def allows(self, url: str) -> bool:
        """The key goes to its own hosts only, over HTTPS; over plain HTTP only to an origin
        the user configured as ``http://`` for it (a provider's other hosts, a downgraded
        URL from an answer or a Space never get it in cleartext)."""
        if not url.startswith("https://"):
            return url.startswith("http://") and f"http://{host_of(url)}" in self.http_origins
        host = host_of(url)
        # An entry starting with "." is a domain: any host under it (regional API hosts).
        return host in self.hosts or any(
            entry.startswith(".") and host.endswith(entry) for entry in self.hosts
        )

    def __repr__(self) -> str:
        return f"Credential(source={self.source!r}, hosts={sorted(self.hosts)!r}, key=<hidden>)"


@dataclass(frozen=True, slots=True)
class RoutingChoice:
    """How one call goes out: the base URL, the routing mode and the credential."""

    routing: Routing
    base_url: str
    credential: Credential | None
    hub_credential: Credential | None


def _direct_base(
    helper: TaskProviderHelper, base_url: str | None, router_url: str = DEFAULT_ROUTER_URL
) -> str:
    base = (base_url or helper.base_url).rstrip("/")
    # Providers living on the router's host (hf-inference) move with a custom router_url.
    default_router = DEFAULT_ROUTER_URL
    if base_url is None and router_url != default_router and base.startswith(default_router):
        base = router_url.rstrip("/") + base[len(default_router) :]
    return base


def _provider_hosts(helper: TaskProviderHelper, base_url: str) -> frozenset[str]:
    return frozenset({host_of(base_url), *(h.lower() for h in helper.key_hosts)})


def choose_route(
    helper: TaskProviderHelper,
    *,
    api_key: str | None,
    routing: str = "auto",
    router_url: str = DEFAULT_ROUTER_URL,
    hub_url: str = DEFAULT_HUB_URL,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> RoutingChoice:
    """Pick routing, base URL and credential for ``helper`` (see the module docstring)."""
    if routing not in ROUTING_MODES:
        raise InvalidInputError(
            f"routing must be one of {', '.join(ROUTING_MODES)}, got {routing!r}"
        )
    if routing == "router" and api_key is not None and not is_hf_token(api_key):
        raise MissingAPIKeyError(
            helper.provider,
            "routing='router' takes a Hugging Face token (hf_...), and the api_key given is "
            "not one: a provider key is never sent to the router. Use routing='direct'.",
        )
    env = os.environ if environ is None else environ
    hf_hosts = frozenset({host_of(router_url), host_of(hub_url)})
    provider = helper.provider

    env_key: tuple[str, str] | None = None
    for name in helper.api_key_env:
        value = env.get(name, "").strip()
        if value:
            env_key = (name, value)
            break
    if env_key is None and (saved_key := stored_key(provider, env)) is not None:
        env_key = ("saved key (infermux keys)", saved_key)
    hf_token: tuple[str, str] | None = None
    if api_key is not None and is_hf_token(api_key):
        hf_token = ("api_key argument", api_key)
    elif (saved := read_hf_token(env)) is not None:
        hf_token = ("Hugging Face token", saved)
    hf_http = http_origins(router_url, hub_url)
    hub_credential = (
        Credential(hf_token[1], hf_token[0], hf_hosts, http_origins=hf_http) if hf_token else None
    )

    provider_key: tuple[str, str] | None = None
    if api_key is not None and (not is_hf_token(api_key) or helper.uses_hf_token):
        provider_key = ("api_key argument", api_key)
    elif env_key and not (api_key is not None and is_hf_token(api_key)):
        source = env_key[0] if env_key[0].startswith("saved") else f"${env_key[0]}"
        provider_key = (source, env_key[1])

    if helper.uses_hf_token:
        # The provider lives on Hugging Face's own hosts: its key is the HF token.
        key = provider_key or hf_token
        if key is None:
            raise MissingAPIKeyError(
                provider,
                f"{provider} needs a Hugging Face token: pass api_key='hf_...' or set HF_TOKEN "
                "(create one at https://huggingface.co/settings/tokens).",
            )
        base = _direct_base(helper, base_url, router_url)
        return RoutingChoice(
            "direct",
            base,
            Credential(
                key[1],
                key[0],
                hf_hosts | {host_of(base)},
                http_origins=hf_http | http_origins(base),
            ),
            hub_credential,
        )

    want_router = routing == "router" or (routing == "auto" and provider_key is None)
    if want_router:
        if not helper.routable:
            if routing == "router":
                raise ConfigurationError(
                    f"{provider} is not served by the Hugging Face router; use routing='direct'."
                )
            want_router = False
        elif hf_token is None:
            if routing == "router":
                raise MissingAPIKeyError(
                    provider,
                    "routing='router' needs a Hugging Face token (api_key='hf_...' or HF_TOKEN); "
                    "a provider key is never sent to the router.",
                )
            want_router = False
    if want_router and hf_token is not None:
        base = f"{router_url.rstrip('/')}/{provider}"
        credential = Credential(hf_token[1], hf_token[0], hf_hosts, http_origins=hf_http)
        return RoutingChoice("router", base, credential, hub_credential)

    if provider_key is None and not helper.requires_key:
        return RoutingChoice(
            "direct", _direct_base(helper, base_url, router_url), None, hub_credential
        )
    if provider_key is None:
        variables = " or ".join(helper.api_key_env) or "an api_key argument"
        where = f" Get a key at {helper.key_url}." if helper.key_url else ""
        router_hint = (
            " or pass a Hugging Face token (HF_TOKEN) to go through the Hugging Face router"
            if helper.routable and routing != "direct"
            else ""
        )
        reason = (
            " A Hugging Face token is never sent to a third-party host."
            if hf_token is not None
            else ""
        )
        raise MissingAPIKeyError(
            provider,
            f"No API key for {provider} ({routing} routing): set {variables}"
            f"{router_hint}.{reason}{where}",
        )
    base = _direct_base(helper, base_url, router_url)
    credential = Credential(
        provider_key[1],
        provider_key[0],
        _provider_hosts(helper, base),
        helper.auth,
        http_origins=http_origins(base),
    )
    return RoutingChoice("direct", base, credential, hub_credential)
