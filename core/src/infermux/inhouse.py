"""In-house providers without a package: register a helper, or declare an endpoint.

    import infermux

    infermux.register_openai_compatible(
        "my-gateway", base_url="https://llm.internal.example.com/v1",
        api_key_env="MY_GATEWAY_KEY", tasks=["conversational", "feature-extraction"],
    )
    client = infermux.InferenceClient(provider="my-gateway")

The same endpoint can live in a config file (see :mod:`infermux.config`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from infermux.config import EndpointConfig
from infermux.errors import ConfigurationError
from infermux.helpers.base import (
    Call,
    TaskProviderHelper,
)
from infermux.helpers.openai import OPENAI_HELPERS, OpenAITranscriptionHelper
from infermux.registry.store import RUNTIME, ProviderRegistry, Registration

__all__ = [
    "OPENAI_COMPATIBLE_TASKS",
    "OpenAITranscriptionHelper",
    "openai_compatible_helpers",
    "register_openai_compatible",
    "register_provider",
]

_BASES = OPENAI_HELPERS
OPENAI_COMPATIBLE_TASKS = frozenset(_BASES)


def openai_compatible_helpers(endpoint: EndpointConfig) -> list[TaskProviderHelper]:
    """One helper per task of an OpenAI-compatible endpoint. Its base URL already holds
    any ``/v1``, so routes are relative to it."""
    unknown = sorted(set(endpoint.tasks) - OPENAI_COMPATIBLE_TASKS)
    if unknown:
        raise ConfigurationError(
            f"{endpoint.source}: provider {endpoint.name!r} declares tasks {', '.join(unknown)}; "
            f"an OpenAI-compatible endpoint serves {', '.join(sorted(OPENAI_COMPATIBLE_TASKS))}"
        )
    helpers: list[TaskProviderHelper] = []
    for task in endpoint.tasks:
        base = _BASES[task]
        route = endpoint.routes.get(task)
        headers = dict(endpoint.headers)

        class Endpoint(base):  # type: ignore[valid-type,misc]
            provider = endpoint.name
            base_url = endpoint.base_url.rstrip("/")
            api_key_env = endpoint.api_key_env
            routable = False
            needs_model_mapping = False
            requires_key = bool(endpoint.api_key_env)
            route_prefix = ""
            served_models = frozenset(endpoint.models)

            def prepare_route(self, call: Call, _route: str | None = route) -> str:
                return _route if _route is not None else super().prepare_route(call)

            def prepare_headers(
                self, call: Call, _headers: dict[str, str] = headers
            ) -> dict[str, str]:
                return dict(_headers)

        Endpoint.__name__ = Endpoint.__qualname__ = f"{base.__name__}[{endpoint.name}]"
        helpers.append(Endpoint())
    return helpers


def _default_registry(registry: ProviderRegistry | None) -> ProviderRegistry:
    if registry is not None:
        return registry
    from infermux.registry.loader import get_registry

    return get_registry()


def register_provider(
    helper: TaskProviderHelper, *, replace: bool = False, registry: ProviderRegistry | None = None
) -> None:
    """Register a helper at run time (an in-house provider, or a fix to a plugin's).

    ``replace=True`` overrides a helper an installed plugin registered for the same
    (provider, task); without it the clash is reported when the pair is used.
    """
    _default_registry(registry).add(Registration(helper, RUNTIME), replace=replace)


def register_openai_compatible(
    name: str,
    *,
    base_url: str,
    api_key_env: str | Sequence[str] = (),
    tasks: Sequence[str] = ("conversational",),
    routes: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    models: Sequence[str] = (),
    replace: bool = False,
    registry: ProviderRegistry | None = None,
) -> None:
    """Declare an OpenAI-compatible endpoint (vLLM, TGI, Ollama, a gateway) as a provider.

    ``models`` lists model ids the endpoint serves as they are: ``provider="auto"`` picks
    the endpoint for them without asking the Hub.
    """
    endpoint = EndpointConfig(
        name=name,
        base_url=base_url,
        api_key_env=(api_key_env,) if isinstance(api_key_env, str) else tuple(api_key_env),
        tasks=tuple(tasks),
        routes=dict(routes or {}),
        headers=dict(headers or {}),
        models=tuple(models),
    )
    target = _default_registry(registry)
    for helper in openai_compatible_helpers(endpoint):
        target.add(Registration(helper, RUNTIME), replace=replace)
