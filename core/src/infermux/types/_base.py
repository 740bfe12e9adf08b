"""The base of every task model of :mod:`infermux.types` (hand-written)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TaskModel(BaseModel):
    """Base of the models generated from the Hugging Face task specifications.

    Fields are named as on the wire. Fields a provider sends that the spec does not know are
    kept (``extra="allow"``): they are readable as attributes, listed in ``model_extra`` and
    serialised again by ``model_dump()``. A field whose wire name is a Python keyword or a
    ``BaseModel`` attribute (such as ``schema``) has a trailing underscore and an alias; it can
    be populated by either name, and ``model_dump(by_alias=True)`` gives the wire name back.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())
