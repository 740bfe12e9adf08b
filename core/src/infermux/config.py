"""Config files: in-house OpenAI-compatible providers and model-mapping overrides.

Files read, later ones overriding earlier ones: the user file
(``$XDG_CONFIG_HOME/infermux/config.toml``, default ``~/.config/infermux/config.toml``),
the project file ``./infermux.toml``, and the file named by ``INFERMUX_CONFIG``. Example::

    [providers.my-gateway]
    base_url = "https://llm.internal.example.com/v1"
    api_key_env = "MY_GATEWAY_KEY"
    tasks = ["conversational", "feature-extraction"]
    headers = { "X-Team" = "search" }
    models = ["acme/llama-internal-70b"]   # optional: provider="auto" picks it for these ids

    [providers.my-gateway.routes]          # optional; defaults shown
    conversational = "/chat/completions"

    [model_mappings.together]
    "meta-llama/Llama-3.1-8B-Instruct" = "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"

    [aliases.together.conversational]      # model="small" on together
    small = "meta-llama/Llama-3.2-3B-Instruct-Turbo"

Errors name the file, the line and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infermux.errors import ConfigFileError

__all__ = ["Config", "EndpointConfig", "config_paths", "load_config", "parse_config"]

_ENDPOINT_KEYS = {"base_url", "api_key_env", "tasks", "routes", "headers", "models"}
_TOP_KEYS = {"providers", "model_mappings", "aliases"}


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """An OpenAI-compatible endpoint declared in a config file (or in code)."""

    name: str
    base_url: str
    api_key_env: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ("conversational",)
    routes: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    source: str = "code"
    #: Model ids the endpoint serves as they are: ``provider="auto"`` picks the endpoint for
    #: them without asking the Hub.
    models: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    endpoints: tuple[EndpointConfig, ...] = ()
    model_mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: provider -> task -> alias -> model id
    aliases: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)


def config_paths(environ: Mapping[str, str] | None = None) -> list[Path]:
    env = os.environ if environ is None else environ
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    paths = [Path(config_home) / "infermux" / "config.toml", Path.cwd() / "infermux.toml"]
    if env.get("INFERMUX_CONFIG"):
        paths.append(Path(env["INFERMUX_CONFIG"]))
    return paths


def _line_of(text: str, key: str, after: str | None = None) -> int | None:
    """Best-effort line number of ``key`` (tomllib reports none for valid TOML)."""
    lines = text.splitlines()
    start = 0
    if after:
        for i, line in enumerate(lines):
            if after in line:
                start = i
                break
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=|\[.*\b{re.escape(key)}\b.*\]')
    for i in range(start, len(lines)):
        if pattern.search(lines[i]):
            return i + 1
    return None


def _str_tuple(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_config(text: str, source: str) -> Config:
    """Parse one config file's text; raise :class:`ConfigFileError` naming file, line and key."""
    import tomllib  # only when a config file exists: most runs have none

    from infermux.aliases import ALIAS_NAMES
    from infermux.tasks import KNOWN_TASKS, OPENAI_COMPATIBLE_TASKS, PROVIDER_ID

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigFileError(
            source, f"invalid TOML: {exc}", line=int(match.group(1)) if match else None
        ) from None

    def fail(message: str, key: str, after: str | None = None) -> ConfigFileError:
        return ConfigFileError(
            source, message, line=_line_of(text, key.rsplit(".", 1)[-1], after), key=key
        )

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(
                f"unknown section {key!r}; expected one of {', '.join(sorted(_TOP_KEYS))}", key
            )
    endpoints = []
    for name, raw in (data.get("providers") or {}).items():
        where = f"providers.{name}"
        if not isinstance(raw, dict):
            raise fail("must be a table", where)
        if not PROVIDER_ID.match(name):
            raise fail("provider names use lowercase letters, digits and '-'", where)
        for key in raw:
            if key not in _ENDPOINT_KEYS:
                raise fail(
                    f"unknown key {key!r}; expected {', '.join(sorted(_ENDPOINT_KEYS))}",
                    f"{where}.{key}",
                    after=f"providers.{name}",
                )
        base_url = raw.get("base_url")
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise fail(
                "base_url is required and must be an http(s) URL", f"{where}.base_url", after=where
            )
        tasks = _str_tuple(raw.get("tasks", ["conversational"]))
        if tasks is None or any(t not in OPENAI_COMPATIBLE_TASKS for t in tasks):
            raise fail(
                f"tasks must be a list among {', '.join(sorted(OPENAI_COMPATIBLE_TASKS))}",
                f"{where}.tasks",
                after=where,
            )
        key_env = _str_tuple(raw.get("api_key_env", []))
        if key_env is None:
            raise fail(
                "api_key_env must be a variable name or a list of them",
                f"{where}.api_key_env",
                after=where,
            )
        for table in ("routes", "headers"):
            value = raw.get(table, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise fail(f"{table} must be a table of strings", f"{where}.{table}", after=where)
        unrouted = sorted(set(raw.get("routes", {})) - set(tasks))
        if unrouted:
            raise fail(
                f"routes names {unrouted[0]!r}, which is not among this provider's tasks "
                f"({', '.join(tasks)})",
                f"{where}.routes",
                after=where,
            )
        models = _str_tuple(raw.get("models", []))
        if models is None or isinstance(raw.get("models"), str) or not all(models):
            raise fail(
                'models must be a list of model ids, e.g. ["acme/llama-internal-70b"]',
                f"{where}.models",
                after=where,
            )
        endpoints.append(
            EndpointConfig(
                name=name,
                base_url=base_url,
                api_key_env=key_env,
                tasks=tasks,
                routes=dict(raw.get("routes", {})),
                headers=dict(raw.get("headers", {})),
                source=source,
                models=models,
            )
        )
    mappings: dict[str, dict[str, str]] = {}
    for provider, table in (data.get("model_mappings") or {}).items():
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise fail(
                "must map model ids to provider model ids (strings)", f"model_mappings.{provider}"
            )
        mappings[provider] = dict(table)
    aliases: dict[str, dict[str, dict[str, str]]] = {}
    for provider, tasks in (data.get("aliases") or {}).items():
        if not isinstance(tasks, dict):
            raise fail("must hold one table per task", f"aliases.{provider}")
        for task, table in tasks.items():
            where = f"aliases.{provider}.{task}"
            if task not in KNOWN_TASKS:
                raise fail(f"unknown task {task!r}", where)
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise fail("must map alias names to model ids (strings)", where)
            unknown = sorted(set(table) - set(ALIAS_NAMES))
            if unknown:
                raise fail(
                    f"unknown alias {unknown[0]!r}; aliases: {', '.join(ALIAS_NAMES)}", where
                )
            aliases.setdefault(provider, {})[task] = dict(table)
    return Config(tuple(endpoints), mappings, aliases)


def load_config(paths: list[Path] | None = None) -> Config:
    """Read and merge every config file that exists."""
    endpoints: dict[str, EndpointConfig] = {}
    mappings: dict[str, dict[str, str]] = {}
    aliases: dict[str, dict[str, dict[str, str]]] = {}
    for path in paths if paths is not None else config_paths():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConfigFileError(str(path), f"cannot read: {exc}") from None
        config = parse_config(text, str(path))
        endpoints.update({e.name: e for e in config.endpoints})
        for provider, table in config.model_mappings.items():
            mappings.setdefault(provider, {}).update(table)
        for provider, tasks in config.aliases.items():
            for task, names in tasks.items():
                aliases.setdefault(provider, {}).setdefault(task, {}).update(names)
    return Config(tuple(endpoints.values()), mappings, aliases)
