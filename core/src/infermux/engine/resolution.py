"""Which provider and which model id a call goes to: aliases, endpoints, auto, the Hub."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from infermux.aliases import ALIAS_NAMES, resolve_alias
from infermux.auth import (
    Credential,
    RoutingChoice,
    choose_route,
    host_of,
    http_origins,
    is_hf_token,
    is_url,
    read_hf_token,
    route_inputs,
)
from infermux.engine.calls import Candidate, EngineSettings, TaskRequest
from infermux.engine.effects import Effect
from infermux.engine.sending import Sender
from infermux.errors import (
    AuthenticationError,
    InvalidInputError,
    ModelMappingError,
    NotFoundError,
    ServerError,
    TransportError,
)
from infermux.helpers.base import (
    HTTPRequest,
    ModelMapping,
    TaskProviderHelper,
)
from infermux.mapping import (
    HubMappingCache,
    ProviderMappingEntry,
    hub_mapping_url,
    parse_hub_mapping,
    serves_task,
)
from infermux.registry.store import ProviderRegistry

logger = logging.getLogger("infermux")

#: The Hugging Face router's own provider choices (``model="org/name:fastest"``); the
#: same set as ``endpoints.ROUTER_POLICIES`` (a test keeps them equal), kept here so that
#: resolving a model id does not import ``endpoints``.
_ROUTER_POLICIES = frozenset({"fastest", "cheapest", "preferred"})


class Resolver:
    """Chooses the candidates of a call, their routes and their model ids.

    It reads the registry and the client's settings; the one request it makes itself (the
    Hub's provider mapping of a model) goes through ``sender``, and the answer is kept in
    :attr:`mapping_cache` for ``settings.mapping_ttl`` seconds.
    """

    def __init__(
        self, settings: EngineSettings, registry: ProviderRegistry, sender: Sender
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.sender = sender
        self.mapping_cache = HubMappingCache(settings.mapping_ttl, clock=sender.clock.now)
        #: (id(helper), base URL) -> (route_inputs, helper, route): see route().
        self._routes: dict[tuple[int, str | None], tuple[Any, TaskProviderHelper, RoutingChoice]]
        self._routes = {}

    def origin(self, helper: TaskProviderHelper) -> str | None:
        """The distribution (or plugin) that registered ``helper``, for error messages."""
        # loaded(), not get(): a helper in use was imported already, and a helper built on
        # the fly (a dedicated endpoint's, the router's) must not import every plugin.
        registration = self.registry.loaded(helper.provider, helper.task)
        return (
            registration.origin
            if registration is not None and registration.helper is helper
            else None
        )

    def route(self, helper: TaskProviderHelper, base_url: str | None) -> RoutingChoice:
        """``choose_route`` for this client's settings, reused while nothing it reads changes.

        Choosing reads the environment and the saved Hugging Face token file; doing that on
        every call was a fifth of the client's own CPU per call. ``route_inputs`` is cheap
        (a few variables and a ``stat``), so a key set or a ``huggingface-cli login`` after
        the client was built is still seen by the next call.
        """
        inputs = route_inputs(helper)
        key = (id(helper), base_url)
        cached = self._routes.get(key)
        if cached is not None and cached[1] is helper and cached[0] == inputs:
            return cached[2]
        settings = self.settings
        route = choose_route(
            helper,
            api_key=settings.api_key,
            routing=settings.routing,
            router_url=settings.router_url,
            hub_url=settings.hub_url,
            base_url=base_url,
        )
        if len(self._routes) >= 256:  # endpoint helpers are built per call: stay bounded
            self._routes.clear()
        self._routes[key] = (inputs, helper, route)
        return route

    def hub_credential(self) -> Credential | None:
        """The caller's Hugging Face token, for the Hub's and the router's hosts only."""
        key = self.settings.api_key
        token = key if key is not None and is_hf_token(key) else read_hf_token()
        if token is None:
            return None
        hosts = frozenset({host_of(self.settings.hub_url), host_of(self.settings.router_url)})
        origins = http_origins(self.settings.hub_url, self.settings.router_url)
        return Credential(token, "Hugging Face token", hosts, http_origins=origins)

    def candidates(self, request: TaskRequest) -> Generator[Effect, Any, list[Candidate]]:
        settings = self.settings
        provider = request.provider or settings.provider
        model = request.model or settings.model
        if is_url(model) or (provider is None and settings.base_url is not None):
            # A dedicated endpoint. ``endpoints`` (and the config parser it builds on) is
            # imported here, not with the engine: most clients never call one.
            from infermux.endpoints import endpoint_helper

            if is_url(model):
                assert model is not None
                return [Candidate(endpoint_helper(request.task, model, self.registry), "tgi")]
            assert settings.base_url is not None
            helper = endpoint_helper(request.task, settings.base_url, self.registry)
            return [Candidate(helper, model or "tgi")]
        if model is not None and ":" in model and "/" in model:
            base, _, suffix = model.rpartition(":")
            if suffix in _ROUTER_POLICIES and request.task in ("conversational", "responses"):
                from infermux.endpoints import (
                    router_policy_helper,
                    router_policy_responses_helper,
                )

                build = (
                    router_policy_helper
                    if request.task == "conversational"
                    else router_policy_responses_helper
                )
                helper = build(settings.router_url)
                return [Candidate(helper, model, ModelMapping(model, hub_model_id=base))]
            if self.registry.has_provider(suffix):
                provider, model = suffix, base
        provider = provider or "auto"
        if provider != "auto":
            helper = self.helper_for(provider, request.task)
            resolved = resolve_alias(helper, model, settings.model_aliases)
            # An alias names the provider's own model id: no Hub mapping applies.
            mapping = ModelMapping(resolved) if resolved != model else None
            return [Candidate(helper, resolved, mapping, base_url=settings.base_url)]
        if model is None or model in ALIAS_NAMES:
            raise InvalidInputError(
                "provider='auto' needs a model id to find the providers serving it: pass "
                "model='org/name' (aliases such as 'small' need a provider)."
            )
        # In-house models: helpers declaring the model (``served_models``, a config file's
        # ``models = [...]``) are the candidates, and the Hub is not asked at all.
        declared = self._declared_candidates(request.task, model)
        if declared:
            return declared
        entries = yield from self._hub_entries(model, self.hub_credential(), strict=True)
        if entries is None:
            served = self.registry.providers_for(request.task)
            raise ModelMappingError(
                f"provider='auto': the Hub knows no model {model!r} (or it is private). Check "
                f"the id, or pass provider= with one of the providers installed for "
                f"{request.task!r}: {', '.join(served) or '(none)'}."
            )
        if not entries:
            served = self.registry.providers_for(request.task)
            raise ModelMappingError(
                f"provider='auto': the Hub maps no inference provider to {model!r}. Pass "
                f"provider= with one of the providers installed for {request.task!r}: "
                f"{', '.join(served) or '(none)'}."
            )
        preference = {p: i for i, p in enumerate(settings.provider_preference)}
        ordered = sorted(
            enumerate(entries),
            key=lambda pair: (preference.get(pair[1].provider, len(preference)), pair[0]),
        )
        candidates = [
            Candidate(
                self.helper_for(entry.provider, request.task),
                model,
                entry.to_mapping(model),
            )
            for _, entry in ordered
            if entry.status != "error"
            and serves_task(entry.task, request.task)
            and self._serves(entry.provider, request.task)
        ]
        if not candidates and not any(serves_task(e.task, request.task) for e in entries):
            mapped = ", ".join(f"{e.provider} ({e.task})" for e in entries)
            raise ModelMappingError(
                f"provider='auto': the Hub maps {model!r} to {mapped}, none of them for "
                f"{request.task!r}: nothing was sent."
            )
        if not candidates:
            served = self.registry.providers_for(request.task)
            mapped = ", ".join(e.provider for e in entries)
            raise ModelMappingError(
                f"provider='auto': {model!r} is served by {mapped}, but none of them is installed "
                f"with a helper for {request.task!r} (installed: {', '.join(served) or '(none)'}). "
                "Install one of those provider plugins."
            )
        return candidates

    def _serves(self, provider: str, task: str) -> bool:
        if (provider, task) in self.registry:
            return True
        # Every chat provider the router serves answers the Responses API through it.
        return task == "responses" and self._routable_chat(provider)

    def _routable_chat(self, provider: str) -> bool:
        if (provider, "conversational") not in self.registry:
            return False
        return bool(self.registry.get(provider, "conversational").helper.routable)

    def helper_for(self, provider: str, task: str) -> TaskProviderHelper:
        """The registered helper; for ``responses`` on a provider without one, a helper
        derived from its chat helper that goes through the router's ``/v1/responses``."""
        if (
            task == "responses"
            and (provider, task) not in self.registry
            and self._routable_chat(provider)
        ):
            from infermux.responses.routing import routed_responses_helper

            return routed_responses_helper(self.registry.get(provider, "conversational").helper)
        return self.registry.get(provider, task).helper

    def _declared_candidates(self, task: str, model: str) -> list[Candidate]:
        """Installed helpers for ``task`` whose ``served_models`` holds ``model``, in the
        user's ``provider_preference`` order, then by provider id. The model id goes on the
        wire as it is, unless ``model_mappings`` overrides it for that provider."""
        preference = {p: i for i, p in enumerate(self.settings.provider_preference)}
        providers = sorted(
            (
                registration.helper.provider
                for registration in self.registry
                if registration.helper.task == task and model in registration.helper.served_models
            ),
            key=lambda provider: (preference.get(provider, len(preference)), provider),
        )
        candidates = []
        for provider in providers:
            # get() rather than the iterated helper: a (provider, task) two plugins claim
            # raises DuplicateProviderError here, as it does for an explicit provider=.
            helper = self.registry.get(provider, task).helper
            override = self.settings.model_mappings.get(provider, {}).get(model)
            mapping = ModelMapping(override or model, hub_model_id=model if override else None)
            candidates.append(Candidate(helper, model, mapping))
        return candidates

    def resolve_mapping(
        self, helper: TaskProviderHelper, model: str, route: RoutingChoice
    ) -> Generator[Effect, Any, ModelMapping]:
        override = self.settings.model_mappings.get(helper.provider, {}).get(model)
        if override is not None:
            return ModelMapping(provider_model_id=override, hub_model_id=model)
        if not helper.needs_model_mapping or "/" not in model or not self.settings.hub_lookup:
            return ModelMapping(provider_model_id=model)
        entries = yield from self._hub_entries(model, route.hub_credential)
        if entries is None:
            return ModelMapping(provider_model_id=model)  # unknown to the Hub: a native id
        mine = [entry for entry in entries if entry.provider == helper.provider]
        for entry in mine:
            if serves_task(entry.task, helper.task):
                return entry.to_mapping(model)
        if mine:
            tasks = ", ".join(sorted({str(entry.task) for entry in mine}))
            raise ModelMappingError(
                f"The Hub maps {model!r} to {helper.provider} for {tasks} only, not for "
                f"{helper.task!r}: nothing was sent. Call a {tasks} method, or use a model "
                f"{helper.provider} serves for {helper.task!r}."
            )
        others = ", ".join(e.provider for e in entries)
        served = f"it maps it to {others}" if others else "it maps it to no inference provider"
        raise ModelMappingError(
            f"The Hub does not map {model!r} to {helper.provider} ({served}). Use one of "
            f"those providers, the model id {helper.provider} itself uses, or "
            "model_mappings={provider: {hub_id: provider_id}}."
        )

    def _hub_entries(
        self, model: str, credential: Credential | None, *, strict: bool = False
    ) -> Generator[Effect, Any, list[ProviderMappingEntry] | None]:
        """The Hub's provider mapping of ``model``; None when the Hub does not know it.

        ``strict`` (provider='auto', where nothing else can choose a provider): a lookup
        that failed (network, 5xx, a refused token) is raised as that failure instead of
        being read as "the Hub maps nothing".
        """
        hit, cached = self.mapping_cache.get(model)
        if hit:
            return cached
        lookup = HTTPRequest("GET", hub_mapping_url(self.settings.hub_url, model))
        why = f"provider='auto' asks the Hub which providers serve {model!r}, and the lookup failed"
        try:
            response = yield from self.sender.send(lookup, credential, "huggingface-hub", None)
        except TransportError as exc:
            if strict:
                raise TransportError(
                    f"{why}: the Hub could not be reached ({exc}). Check the network or "
                    "--hub-url, or pass provider= to skip the lookup.",
                    provider="huggingface-hub",
                    url=exc.url,
                ) from exc
            logger.info("Hub lookup for %s failed (%s); using it as a native id", model, exc)
            return None
        except AuthenticationError as exc:
            if strict:
                exc.args = (
                    f"{why}: the Hub refused the Hugging Face token ({exc}). Check HF_TOKEN, "
                    "or pass provider= to skip the lookup.",
                )
                raise
            self.mapping_cache.put(model, None)
            return None
        except ServerError as exc:
            if strict:
                exc.args = (f"{why}: the Hub answered with a server error ({exc}).",)
            raise
        except NotFoundError:
            # Unknown to the Hub (or private): the id is the provider's own.
            self.mapping_cache.put(model, None)
            return None
        entries = parse_hub_mapping(response.json())
        self.mapping_cache.put(model, entries)
        return entries
