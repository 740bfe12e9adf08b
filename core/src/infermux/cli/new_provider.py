"""``infermux new-provider NAME``: render the provider template into a new package folder.

The template (``contrib-providers/template`` in the repository) ships inside the core
wheel as ``infermux/_provider_template``; copier renders it and is imported only here
(``pip install 'infermux[template]'``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from infermux.cli.errors import CLIError

__all__ = ["new_provider_command", "template_path"]

_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def template_path() -> Path:
    """The provider template: the installed copy, else the repository's (editable installs)."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (
        package / "_provider_template",
        package.parents[2] / "contrib-providers" / "template",
    ):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise CLIError(
        "the provider template is not installed with this infermux; render it from a "
        "checkout of the infermux repository: copier copy contrib-providers/template DIR"
    )


def _core_requirement() -> str:
    """``>=0.X,<0.X+1`` for the running core: the minor versions the new package targets."""
    from packaging.version import Version

    from infermux import __version__

    version = Version(__version__)
    return f">={version.major}.{version.minor},<{version.major}.{version.minor + 1}"


def new_provider_command(args: argparse.Namespace) -> int:
    """Render the template for provider ``args.name`` into ``args.output``."""
    name: str = args.name
    if not _PROVIDER_ID.match(name):
        raise CLIError(
            f"invalid provider id {name!r}: use lowercase letters, digits and '-' "
            "(e.g. 'acme' or 'my-gateway')"
        )
    output = Path(args.output) if args.output else Path(f"infermux-{name}")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise CLIError(f"{output} already exists and is not empty; choose another --output")
    base_url: str | None = args.base_url
    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise CLIError(f"--base-url must be an http(s) URL, got {base_url!r}")
    try:
        import copier
    except ImportError:
        raise CLIError(
            "infermux new-provider needs copier: pip install 'infermux[template]'"
        ) from None
    data: dict[str, Any] = {"provider_id": name, "core_requirement": _core_requirement()}
    if base_url is not None:
        data["base_url"] = base_url.rstrip("/")
    copier.run_copy(
        str(template_path()), str(output), data=data, defaults=True, quiet=True, unsafe=False
    )
    module = f"infermux_{name.replace('-', '_')}"
    print(f"Created {output}/ (distribution infermux-{name}, module {module}). Next:")
    print(f"  cd {output}")
    print("  uv venv && uv pip install -e '.[test]' && uv run pytest")
    print("See the plugin-author guide for recording cassettes and publishing.")
    return 0
