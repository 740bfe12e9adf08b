"""The provider a call names when no task is involved (``client.request()``).

Routing, auth and the retry policy read a helper's provider-level attributes (base URL, key
variables, key hosts, auth scheme ...). A task call has its task's helper; a call of the
caller's own shape has none. For a plugin in the :class:`~infermux.provider.Provider`
shape, the provider object is that identity: :func:`provider_identity` turns it into a
helper carrying exactly the provider's settings, not those of whichever task helper happens
to sort first (a helper may set its own ``base_url`` for one task). A plugin written
against the helper-and-hook contract has no provider object; its first task helper (by
task name) stands in for it, as it always did.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from infermux.errors import UnknownProviderError
from infermux.helpers.base import TaskProviderHelper

if TYPE_CHECKING:
    from infermux.provider import Provider
    from infermux.registry.store import ProviderRegistry

__all__ = ["ProviderIdentity", "provider_identity"]

logger = logging.getLogger("infermux")

#: Provider-wide attributes a :class:`Provider` does not declare itself: its helpers do.
#: The identity takes the value they all share (the helper default where they differ).
_FROM_HELPERS = (
    "uses_hf_token",
    "requires_key",
    "scales_to_zero",
    "default_requests_per_minute",
    "jobs_url",
)


class ProviderIdentity(TaskProviderHelper):
    """A provider's identity as a helper: settings only, for no task.

    It prepares and parses nothing; the engine reads its attributes to route, authenticate
    and retry a request of the caller's own shape, and asks it for the provider's own
    error message (which each of the provider's helpers knows how to find).
    """

    def __init__(self, provider: Provider, helpers: list[TaskProviderHelper]) -> None:
        self.provider = provider.id
        self.base_url = provider.base_url
        self.api_key_env = provider.key_env
        self.key_url = provider.key_page
        self.auth = provider.auth
        self.key_hosts = provider.key_hosts
        self.routable = provider.routable
        self.needs_model_mapping = provider.needs_model_mapping
        for name in _FROM_HELPERS:
            values = {_hashable(getattr(helper, name)) for helper in helpers}
            if len(values) == 1:
                setattr(self, name, getattr(helpers[0], name))
        self._helpers = helpers

    def error_message(self, body: Any) -> str | None:
        for helper in self._helpers:
            try:
                message = helper.error_message(body)
            except Exception:  # one helper's bug must not hide another's answer
                logger.debug("%r.error_message failed", helper, exc_info=True)
                continue
            if isinstance(message, str) and message:
                return message
        return None


def _hashable(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def provider_identity(registry: ProviderRegistry, name: str) -> TaskProviderHelper:
    """The identity of provider ``name``: a :class:`ProviderIdentity` built from its
    :class:`Provider` object, or (a plugin without one) its first task helper.

    Every registration of the provider is looked up, so two plugins claiming it raise
    :class:`~infermux.errors.DuplicateProviderError` here, as a task call would.
    """
    tasks = registry.tasks_for(name)
    if not tasks:
        raise UnknownProviderError(name, registry.providers())
    registrations = [registry.get(name, task) for task in tasks]
    owner = next((r.provider for r in registrations if r.provider is not None), None)
    if owner is None:
        return registrations[0].helper
    helpers = [r.helper for r in registrations if r.provider is owner]
    return ProviderIdentity(owner, helpers)
