"""Model aliases: ``model="small"`` names a provider's small model for a task.

Plugins declare theirs on each helper (``model_aliases``); users override them in code
(``InferenceClient(model_aliases=...)``) or config (``[aliases.<provider>.<task>]``). A
call with no model uses the ``default`` alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from infermux.errors import InvalidInputError

if TYPE_CHECKING:  # only annotations: config parsing reads ALIAS_NAMES without helpers
    from infermux.helpers.base import TaskProviderHelper

__all__ = ["ALIAS_NAMES", "AliasTable", "alias_table", "resolve_alias"]

#: The alias names; ``agent`` is for chat models good at tool use.
ALIAS_NAMES = ("default", "large", "small", "agent")

#: provider -> task -> alias -> model id
AliasTable = Mapping[str, Mapping[str, Mapping[str, str]]]


def alias_table(helper: TaskProviderHelper, overrides: AliasTable) -> dict[str, str]:
    """The helper's aliases with the user's overrides applied."""
    return {
        **helper.model_aliases,
        **overrides.get(helper.provider, {}).get(helper.task, {}),
    }


def resolve_alias(helper: TaskProviderHelper, model: str | None, overrides: AliasTable) -> str:
    """Return the model id to use: ``model`` itself, or what its alias names."""
    if model is not None and model not in ALIAS_NAMES:
        return model
    table = alias_table(helper, overrides)
    name = model or "default"
    if name in table:
        return table[name]
    known = ", ".join(f"{k}={v}" for k, v in sorted(table.items())) or "none"
    if model is None:
        raise InvalidInputError(
            f"No model given for {helper.task!r} on {helper.provider}, and it has no 'default' "
            f"alias (aliases: {known}). Pass model='...' to the call or the client."
        )
    raise InvalidInputError(
        f"{helper.provider} has no {name!r} alias for {helper.task!r} (aliases: {known}). "
        "Set one in code (model_aliases=) or in the config file ([aliases.<provider>.<task>])."
    )
