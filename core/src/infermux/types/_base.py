"""The base of every task model of :mod:`infermux.types` (hand-written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class TaskModel(BaseModel):
    """Base of the models generated from the Hugging Face task specifications.

    Fields are named as on the wire. Fields a provider sends that the spec does not know are
    kept (``extra="allow"``): they are readable as attributes, listed in ``model_extra`` and
    serialised again by ``model_dump()``. A field whose wire name is a Python keyword or a
    ``BaseModel`` attribute (such as ``schema``) has a trailing underscore and an alias; it can
    be populated by either name, and ``model_dump(by_alias=True)`` gives the wire name back.
    """

    # Set by the client on the outputs it returns (see infermux.provenance); not a field,
    # so it is never serialised, compared nor confused with what the provider sent. A slot,
    # not a pydantic PrivateAttr: a model with private attributes runs a Python
    # ``model_post_init`` for every instance, nested ones included, which made validating a
    # chat answer or a stream chunk about four times slower.
    __slots__ = ("_response_info",)

    # defer_build: a model's validator and serialiser are built when it is first used, not
    # when its module is imported. A chat call imports the chat task's 30-odd models but
    # validates only the answer (or chunk) model, whose schema takes its nested models in;
    # the input models and the nested classes' own validators are never built. Importing the
    # chat task's module got about 40% faster and its heap about 25 KiB smaller
    # (docs/performance.md); validation and its errors are the same.
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True
    )

    @property
    def response_info(self) -> Any:
        """The :class:`~infermux.provenance.ResponseInfo` of the call that returned this."""
        return getattr(self, "_response_info", None)

    def _set_response_info(self, info: Any) -> None:
        object.__setattr__(self, "_response_info", info)

    # Copies and pickles keep the response info, as they did when it was a private attribute.
    def __copy__(self) -> Self:
        copied = super().__copy__()
        copied._set_response_info(self.response_info)
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        copied = super().__deepcopy__(memo)
        copied._set_response_info(self.response_info)
        return copied

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        copied._set_response_info(self.response_info)
        return copied

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["_response_info"] = self.response_info
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        info = state.pop("_response_info", None)
        super().__setstate__(state)
        self._set_response_info(info)
