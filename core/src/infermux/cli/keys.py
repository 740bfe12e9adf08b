"""``infermux keys set|list|remove|path`` and ``infermux config show``.

Saved keys live in the user config folder, owner-only (see :mod:`infermux.keystore`).
Nothing here ever prints a key: ``list`` and ``config show`` say *where* each provider's
key would come from.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from infermux.cli.errors import CLIError
from infermux.cli.output import dumps

__all__ = ["config_command", "key_source", "keys_command"]


def _installed_providers() -> list[str]:
    from infermux.registry.loader import get_registry

    return sorted(get_registry().providers())


def _read_secret(provider: str) -> str:
    """The key from a hidden prompt on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{provider} key (input hidden): ")
    return sys.stdin.readline().strip()


def keys_command(args: argparse.Namespace) -> int:
    from infermux import keystore

    action = args.keys_action
    if action == "path":
        print(keystore.keys_path())
        return 0
    if action == "list":
        saved = sorted(keystore.read_keys())
        if args.json:
            print(dumps({"path": str(keystore.keys_path()), "providers": saved}, pretty=True))
        elif not saved:
            print(f"No saved keys ({keystore.keys_path()}). Save one: infermux keys set PROVIDER")
        else:
            print("\n".join(saved))
        return 0
    provider: str = args.provider
    if action == "set":
        installed = _installed_providers()
        if provider not in installed:
            import difflib

            close = difflib.get_close_matches(provider, installed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if not args.force:
                raise CLIError(
                    f"no installed provider is called {provider!r}.{hint} Installed: "
                    f"{', '.join(installed) or '(none)'}. Use --force to save it anyway."
                )
        path = keystore.save_key(provider, _read_secret(provider))
        print(f"Saved the {provider} key in {path} (readable by you only).")
        return 0
    if keystore.remove_key(provider):
        print(f"Removed the {provider} key from {keystore.keys_path()}.")
        return 0
    raise CLIError(f"no saved key for {provider!r} in {keystore.keys_path()}")


def key_source(helper: Any) -> dict[str, str]:
    """Where the key of ``helper``'s provider comes from (auto routing), never the key."""
    from infermux.auth import choose_route
    from infermux.errors import InfermuxError

    try:
        route = choose_route(helper, api_key=None)
    except InfermuxError:
        return {"source": "none", "routing": "-"}
    if route.credential is None:
        return {"source": "not needed", "routing": route.routing}
    return {"source": route.credential.source, "routing": route.routing}


def config_command(args: argparse.Namespace) -> int:
    """``infermux config show``: config files read and each provider's key source."""
    from infermux import keystore
    from infermux.auth import read_hf_token
    from infermux.config import config_paths
    from infermux.registry.loader import get_registry

    registry = get_registry()
    files = [{"path": str(path), "exists": path.is_file()} for path in config_paths()]
    keys_file = keystore.keys_path()
    providers: dict[str, dict[str, str]] = {}
    for registration in registry:
        provider = registration.helper.provider
        if provider not in providers:
            providers[provider] = key_source(registration.helper)
    variables = sorted(name for name in os.environ if name.startswith("INFERMUX_"))
    report: dict[str, Any] = {
        "config_files": files,
        "keys_file": {"path": str(keys_file), "exists": keys_file.is_file()},
        "hf_token": "set" if read_hf_token() else "not set",
        "variables": variables,
        "providers": providers,
    }
    if args.json:
        print(dumps(report, pretty=True))
        return 0
    print("Config files (read in this order, later ones win):")
    for entry in files:
        print(f"  {entry['path']}  {'(read)' if entry['exists'] else '(not found)'}")
    print(f"Saved keys: {keys_file}  {'(read)' if keys_file.is_file() else '(not found)'}")
    print(f"Hugging Face token: {report['hf_token']}")
    if variables:
        print(f"INFERMUX_* variables set: {', '.join(variables)}")
    from infermux.cli.tables import print_table

    rows = [[name, info["source"], info["routing"]] for name, info in sorted(providers.items())]
    print_table(["PROVIDER", "KEY FROM", "ROUTING"], rows, title="Keys (auto routing)")
    return 0
