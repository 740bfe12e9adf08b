"""A batch as Ray or Dask hand it to a callable, to records, and back with new columns.

Three forms arrive: a dict of columns (Ray's default ``numpy`` format, or lists), a pandas
``DataFrame`` (Ray's ``batch_format="pandas"``, a Dask DataFrame partition) and a list of
dicts (a Dask Bag partition). The answer goes back in the form that came in, the input
columns kept and the new ones added. Values are made plain Python (NumPy scalars and
arrays to numbers and lists) before they reach the row parser, which checks types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from infermux.errors import InvalidInputError

__all__ = ["Batch", "add_columns", "plain", "records"]

Batch = Any  # Mapping[str, column] | pandas.DataFrame | list[dict]


def plain(value: Any) -> Any:
    """NumPy (and Arrow-derived) values to plain Python, recursively."""
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy scalars and arrays
        return plain(tolist())
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _is_frame(batch: Any) -> bool:
    return hasattr(batch, "to_dict") and hasattr(batch, "columns") and hasattr(batch, "assign")


def records(batch: Batch) -> list[dict[str, Any]]:
    """The rows of ``batch`` as plain dicts."""
    if _is_frame(batch):
        return [{str(k): plain(v) for k, v in row.items()} for row in batch.to_dict("records")]
    if isinstance(batch, Mapping):
        columns = {str(name): list(values) for name, values in batch.items()}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise InvalidInputError(f"batch columns differ in length: {sorted(lengths)}")
        size = lengths.pop() if lengths else 0
        return [{name: plain(values[i]) for name, values in columns.items()} for i in range(size)]
    if isinstance(batch, Sequence) and not isinstance(batch, str | bytes):
        rows = list(batch)
        for row in rows:
            if not isinstance(row, Mapping):
                raise InvalidInputError(
                    f"a partition of a Bag must hold dicts (one per row), got {type(row).__name__}"
                )
        return [{str(k): plain(v) for k, v in row.items()} for row in rows]
    raise InvalidInputError(
        "a batch must be a dict of columns, a pandas DataFrame or a list of dicts, got "
        f"{type(batch).__name__}"
    )


def add_columns(batch: Batch, new: Mapping[str, Sequence[Any]]) -> Batch:
    """``batch`` with the columns ``new`` added (replacing columns of the same name)."""
    if _is_frame(batch):
        import pandas as pd  # type: ignore[import-untyped]

        columns = {
            name: pd.Series(list(values), index=batch.index, dtype=object)
            for name, values in new.items()
        }
        return batch.assign(**columns)
    if isinstance(batch, Mapping):
        return {**batch, **{name: list(values) for name, values in new.items()}}
    rows = list(batch)
    return [
        {**row, **{name: values[i] for name, values in new.items()}} for i, row in enumerate(rows)
    ]
