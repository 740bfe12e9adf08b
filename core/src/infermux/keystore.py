"""Provider keys saved by ``infermux keys set``: one JSON file, readable by its owner only.

The file is ``$XDG_CONFIG_HOME/infermux/keys.json`` (default ``~/.config/infermux/``),
``{"together": "...", "groq": "..."}``, written with mode 0600 in a 0700 folder, as
``llm keys`` does. Keys resolve in this order: the ``api_key`` argument, the provider's
environment variables, then this file (see :func:`infermux.auth.choose_route`). The file is
read again only when it changes (its size, mtime and inode are checked).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from infermux.errors import ConfigFileError, InvalidInputError

__all__ = [
    "file_identity",
    "keys_identity",
    "keys_path",
    "read_keys",
    "remove_key",
    "save_key",
    "stored_key",
]

_cache: dict[str, tuple[tuple[int, int, int], dict[str, str]]] = {}


def keys_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where saved keys live (it may not exist)."""
    env = os.environ if environ is None else environ
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config_home) / "infermux" / "keys.json"


def file_identity(path: Path | str) -> tuple[int, int, int] | None:
    """``(inode, mtime_ns, size)`` of the keys file, None when there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


_paths: dict[tuple[str | None, str | None], str] = {}


def keys_identity(environ: Mapping[str, str]) -> tuple[int, int, int] | None:
    """:func:`file_identity` of the keys file, cheaply: the engine asks on every call (its
    route cache must see a key saved or removed meanwhile), so the path is cached per
    ``(XDG_CONFIG_HOME, HOME)`` and the check is one ``stat``."""
    where = (environ.get("XDG_CONFIG_HOME"), environ.get("HOME"))
    path = _paths.get(where)
    if path is None:
        if len(_paths) >= 64:
            _paths.clear()
        path = _paths[where] = str(keys_path(environ))
    return file_identity(path)


def read_keys(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every saved key by provider id ({} when there is no file)."""
    path = keys_path(environ)
    identity = file_identity(path)
    if identity is None:
        return {}
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == identity:
        return dict(cached[1])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigFileError(
            str(path),
            f"not a JSON object of provider keys ({type(exc).__name__}); fix or delete it "
            "(infermux keys set PROVIDER writes a new one)",
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ConfigFileError(str(path), 'expected {"provider": "key", ...}')
    _cache[str(path)] = (identity, dict(data))
    return dict(data)


def stored_key(provider: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The saved key of ``provider``, if any."""
    value = read_keys(environ).get(provider, "").strip()
    return value or None


def _write(keys: dict[str, str], environ: Mapping[str, str] | None) -> Path:
    path = keys_path(environ)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    # Created 0600 before any key is written to it, then moved into place.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(keys, file, indent=2, sort_keys=True)
        file.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def save_key(provider: str, key: str, environ: Mapping[str, str] | None = None) -> Path:
    """Save ``key`` for ``provider``; returns the file's path."""
    key = key.strip()
    if not key or any(ch.isspace() for ch in key):
        raise InvalidInputError("a key is one word with no spaces; got an empty or spaced value")
    keys = read_keys(environ)
    keys[provider] = key
    return _write(keys, environ)


def remove_key(provider: str, environ: Mapping[str, str] | None = None) -> bool:
    """Forget ``provider``'s key; False when none was saved."""
    keys = read_keys(environ)
    if keys.pop(provider, None) is None:
        return False
    _write(keys, environ)
    return True
