"""A provider as one object: identity, auth and limits, owning its task helpers.

What a plugin author writes::

    from infermux import Provider
    from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper

    acme = Provider(
        "acme",
        base_url="https://api.acme.example",
        key_env="ACME_API_KEY",
        key_page="https://acme.example/keys",
    )


    @acme.task
    class AcmeChat(OpenAIChatHelper):
        '''Chat completions; override only what differs from the OpenAI-compatible base.'''


    acme.openai_compatible("feature-extraction")  # a helper with nothing to override

    register_providers = acme.hook()  # the plugin's hook, for the entry point

The provider's settings are written onto each helper class it owns (unless the class sets
one itself), so a helper is still a plain :class:`~infermux.helpers.base.TaskProviderHelper`:
the core, the conformance kit and plugins written against the helper-and-hook contract
(a ``register_providers`` function calling ``register(helper)``) work unchanged.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from infermux.errors import PluginError
from infermux.helpers.base import AuthScheme, TaskProviderHelper
from infermux.tasks import PROVIDER_ID

__all__ = ["Provider"]

H = TypeVar("H", bound=type[TaskProviderHelper])


class Provider:
    """One inference provider: its id, where and how it is called, and its task helpers.

    - ``id``: what users pass as ``provider=`` (lowercase letters, digits, ``-``); name the
      plugin's entry point the same, so the plugin is imported only when it is used.
    - ``base_url``: the API root the helpers' routes are appended to.
    - ``key_env``: environment variable(s) holding the key, in order; ``key_page``: where
      users get one (shown in errors); ``auth``: how it is sent (bearer by default);
      ``key_hosts``: other hosts that may receive it (``.example.com`` covers subdomains).
    - ``aliases``: per task, model aliases (``{"conversational": {"default": "..."}}``).
    - ``max_batch_size``: per task, the most inputs one request may carry.
    - ``routable``: False when the Hugging Face router does not serve the provider;
      ``needs_model_mapping``: False when model ids are the provider's own (no Hub lookup).
    """

    def __init__(
        self,
        id: str,
        *,
        base_url: str,
        key_env: str | Iterable[str] = (),
        key_page: str | None = None,
        auth: AuthScheme | None = None,
        key_hosts: Iterable[str] = (),
        aliases: Mapping[str, Mapping[str, str]] | None = None,
        max_batch_size: Mapping[str, int] | None = None,
        routable: bool = True,
        needs_model_mapping: bool = True,
    ) -> None:
        if not isinstance(id, str) or not PROVIDER_ID.match(id):
            raise PluginError(
                f"invalid provider id {id!r}: use lowercase letters, digits and '-'"
                " (e.g. 'my-gateway')"
            )
        if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
            raise PluginError(f"provider {id!r}: base_url must be an http(s) URL, got {base_url!r}")
        sizes = dict(max_batch_size or {})
        for task, size in sizes.items():
            if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                raise PluginError(
                    f"provider {id!r}: max_batch_size[{task!r}] must be an int >= 1, got {size!r}"
                )
        self.id = id
        self.base_url = base_url.rstrip("/")
        self.key_env: tuple[str, ...] = (key_env,) if isinstance(key_env, str) else tuple(key_env)
        self.key_page = key_page
        self.auth = auth or AuthScheme.bearer()
        self.key_hosts = tuple(key_hosts)
        self.aliases = {task: dict(table) for task, table in (aliases or {}).items()}
        self.max_batch_size = sizes
        self.routable = routable
        self.needs_model_mapping = needs_model_mapping
        self._helpers: dict[str, type[TaskProviderHelper]] = {}

    def __repr__(self) -> str:
        return f"<Provider {self.id!r} tasks={sorted(self._helpers)}>"

    # -- the helpers it owns -----------------------------------------------------------------

    def _settings(self, task: str) -> dict[str, Any]:
        """The helper attributes this provider decides, for one task."""
        settings: dict[str, Any] = {
            "provider": self.id,
            "base_url": self.base_url,
            "api_key_env": self.key_env,
            "key_url": self.key_page,
            "auth": self.auth,
            "key_hosts": self.key_hosts,
            "routable": self.routable,
            "needs_model_mapping": self.needs_model_mapping,
        }
        if task in self.aliases:
            settings["model_aliases"] = dict(self.aliases[task])
        if task in self.max_batch_size:
            settings["max_batch_size"] = self.max_batch_size[task]
        return settings

    def task(self, helper: H) -> H:
        """Class decorator: make ``helper`` this provider's helper for its task.

        Attributes the class body sets itself are kept (one task may differ, e.g. in
        ``base_url``); the rest come from the provider.
        """
        if not (isinstance(helper, type) and issubclass(helper, TaskProviderHelper)):
            raise PluginError(
                f"provider {self.id!r}: @task decorates a TaskProviderHelper subclass, "
                f"got {helper!r}"
            )
        task = helper.task
        if not task:
            raise PluginError(
                f"provider {self.id!r}: {helper.__name__} names no task (set task = '...', "
                "or subclass a helper for one, such as OpenAIChatHelper)"
            )
        if task in self._helpers:
            raise PluginError(
                f"provider {self.id!r}: two helpers for {task!r}: "
                f"{self._helpers[task].__name__} and {helper.__name__}"
            )
        for name, value in self._settings(task).items():
            if name not in helper.__dict__:
                setattr(helper, name, value)
        self._helpers[task] = helper
        return helper

    def openai_compatible(self, *tasks: str) -> None:
        """Serve ``tasks`` through the OpenAI-compatible helpers as they are (no override)."""
        from infermux.helpers.openai import OPENAI_HELPERS

        for task in tasks:
            base = OPENAI_HELPERS.get(task)
            if base is None:
                raise PluginError(
                    f"provider {self.id!r}: no OpenAI-compatible helper for {task!r}; "
                    f"there are {', '.join(sorted(OPENAI_HELPERS))}"
                )
            name = "".join(part.title() for part in re.split(r"[^a-z0-9]+", self.id))
            # Named and placed in the plugin's module (as a class statement there would be),
            # so reprs and error messages say where the helper comes from.
            module = sys._getframe(1).f_globals.get("__name__", __name__)
            summary = (base.__doc__ or "").strip().splitlines()[:1]
            helper = type(
                f"{name}{base.__name__.removeprefix('OpenAI')}",
                (base,),
                {"__module__": module, "__doc__": f"{self.id}: {''.join(summary)}"},
            )
            self.task(helper)

    @property
    def tasks(self) -> list[str]:
        """The tasks this provider serves."""
        return sorted(self._helpers)

    def helper(self, task: str) -> TaskProviderHelper:
        """A new instance of the helper for ``task``."""
        try:
            return self._helpers[task]()
        except KeyError:
            raise PluginError(
                f"provider {self.id!r} serves {', '.join(self.tasks) or 'no task'}, not {task!r}"
            ) from None

    def helpers(self) -> list[TaskProviderHelper]:
        """One new helper instance per task, in task order."""
        return [self._helpers[task]() for task in self.tasks]

    # -- the plugin hook ---------------------------------------------------------------------

    def register_with(self, register: Callable[[TaskProviderHelper], None]) -> None:
        """Register every helper through a ``register_providers`` callback."""
        if not self._helpers:
            raise PluginError(f"provider {self.id!r} has no task helpers to register")
        for helper in self.helpers():
            register(helper)

    def hook(self) -> Callable[[Callable[[TaskProviderHelper | Provider], None]], None]:
        """The plugin's ``register_providers`` hook: ``register_providers = acme.hook()``."""
        from infermux.hookspecs import hookimpl

        def register_providers(register: Callable[[TaskProviderHelper | Provider], None]) -> None:
            # The provider itself, not its helpers one by one: the core keeps it with them
            # (client.request() takes the provider's identity from it).
            register(self)

        register_providers.__doc__ = f"Register the {self.id} helpers."
        return hookimpl(register_providers)
