"""The base of every task model of :mod:`infermux.types` (hand-written)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr


class TaskModel(BaseModel):
    """Base of the models generated from the Hugging Face task specifications.

    Fields are named as on the wire. Fields a provider sends that the spec does not know are
    kept (``extra="allow"``): they are readable as attributes, listed in ``model_extra`` and
    serialised again by ``model_dump()``. A field whose wire name is a Python keyword or a
    ``BaseModel`` attribute (such as ``schema``) has a trailing underscore and an alias; it can
    be populated by either name, and ``model_dump(by_alias=True)`` gives the wire name back.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    # Set by the client on the outputs it returns (see infermux.provenance); not a field,
    # so it is never serialised nor confused with what the provider sent.
    _response_info: Any = PrivateAttr(default=None)

    @property
    def response_info(self) -> Any:
        """The :class:`~infermux.provenance.ResponseInfo` of the call that returned this."""
        return self._response_info

    def _set_response_info(self, info: Any) -> None:
        self._response_info = info
