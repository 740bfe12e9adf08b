"""NaN and infinity have no JSON spelling: refuse them before anything is sent.

Python's ``json`` writes ``NaN`` and ``Infinity``, which no provider's parser accepts, so a
``temperature=float("nan")`` used to go out as invalid JSON and come back as a confusing
400 (or be read as something else). Pure: walks plain containers only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from infermux.errors import InvalidInputError

__all__ = ["check_finite", "non_finite_path"]

#: Nesting deeper than this is not walked (JSON from users is never this deep).
_MAX_DEPTH = 64


def non_finite_path(value: Any, path: str, depth: int = 0) -> str | None:
    """The path of the first NaN or infinite float inside ``value``, or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = non_finite_path(item, f"{path}[{key!r}]", depth + 1)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = non_finite_path(item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
    return None


def check_finite(
    parameters: Mapping[str, Any], extra_body: Mapping[str, Any], inputs: Any = None
) -> None:
    """Raise :class:`InvalidInputError` naming the first non-finite number."""
    for name, value in parameters.items():
        found = non_finite_path(value, name)
        if found is not None:
            raise _error(found, "parameter")
    found = non_finite_path(extra_body, "extra_body")
    if found is not None:
        raise _error(found, "value")
    if isinstance(inputs, Mapping | list | float):
        found = non_finite_path(inputs, "inputs")
        if found is not None:
            raise _error(found, "value")


def _error(path: str, what: str) -> InvalidInputError:
    return InvalidInputError(
        f"{what} {path} is NaN or infinite, which JSON cannot carry: pass a finite number "
        "(nothing was sent)."
    )
