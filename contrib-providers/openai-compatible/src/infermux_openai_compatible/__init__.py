"""OpenAI-compatible servers for infermux, driven by configuration.

Installed, this package registers presets for the usual local servers (``vllm``,
``tgi``, ``llama-cpp``, ``ollama``, ``lm-studio``: see ``servers.toml``), so that::

    InferenceClient(provider="ollama").chat_completion(messages, model="llama3.2")
    InferenceClient(provider="vllm", base_url="http://gpu-box:8000/v1")

work with nothing else to set up. Your own endpoints (a gateway, a second vLLM) are
``[providers.<name>]`` tables of infermux's config files; one named like a preset
replaces it. The core reads those files and builds every endpoint's helpers
(:mod:`infermux.config`, :mod:`infermux.endpoints`): this package adds no second format.

To ship endpoints as a package of your own (an in-house gateway every colleague gets with
``pip install``), point an entry point at an :class:`EndpointsPlugin`::

    # acme_gateway/__init__.py
    from pathlib import Path
    from infermux_openai_compatible import EndpointsPlugin

    plugin = EndpointsPlugin.from_toml(Path(__file__).with_name("endpoints.toml"))

    # pyproject.toml
    [project.entry-points."infermux.providers"]
    acme-gateway = "acme_gateway:plugin"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from infermux import TaskProviderHelper, hookimpl
from infermux.config import EndpointConfig, load_config, parse_config
from infermux.endpoints import openai_compatible_helpers
from infermux.errors import ConfigurationError

__all__ = ["EndpointsPlugin"]


class EndpointsPlugin:
    """A plugin registering OpenAI-compatible endpoints (one helper per endpoint and task).

    ``keys_optional=True`` sends a key only when its variable is set (local servers);
    ``yield_to_config=True`` skips an endpoint that the user's config files declare under
    the same name, so the user's declaration is the one registered (by the core).
    """

    def __init__(
        self,
        endpoints: Iterable[EndpointConfig],
        *,
        keys_optional: bool = False,
        yield_to_config: bool = False,
    ) -> None:
        self.endpoints = tuple(endpoints)
        self.keys_optional = keys_optional
        self.yield_to_config = yield_to_config

    @classmethod
    def from_toml(cls, path: str | Path, **options: bool) -> EndpointsPlugin:
        """Endpoints from a file in infermux's config format (``[providers.<name>]`` tables).

        A malformed file raises :class:`~infermux.errors.ConfigFileError` naming the file,
        the line and the key.
        """
        path = Path(path)
        config = parse_config(path.read_text(encoding="utf-8"), str(path))
        return cls(config.endpoints, **options)

    def __repr__(self) -> str:
        return f"EndpointsPlugin({', '.join(e.name for e in self.endpoints)})"

    def helpers(self) -> list[TaskProviderHelper]:
        """The helpers this plugin registers (without consulting the user's config)."""
        helpers = []
        for endpoint in self.endpoints:
            for helper in openai_compatible_helpers(endpoint):
                if self.keys_optional:
                    helper.requires_key = False
                helpers.append(helper)
        return helpers

    @hookimpl
    def register_providers(self, register: Callable[[TaskProviderHelper], None]) -> None:
        declared = _user_declared() if self.yield_to_config else frozenset()
        for helper in self.helpers():
            if helper.provider not in declared:
                register(helper)


def _user_declared() -> frozenset[str]:
    """Provider names the user's config files declare (none if they cannot be read: the
    core reports that error itself, naming the file, line and key)."""
    try:
        return frozenset(endpoint.name for endpoint in load_config().endpoints)
    except ConfigurationError:
        return frozenset()
