"""Tables on stdout: rich (colour, borders, wrapped cells) on a terminal, plain columns when piped.

Piped output stays the plain, two-space aligned text scripts can ``awk``; ``NO_COLOR`` or
``INFERMUX_PLAIN=1`` forces it on a terminal too, as does a missing rich: the same decision
as progress's (:func:`infermux.progress.draws_live`). rich is imported only when it draws.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from infermux.cli.output import format_table
from infermux.progress import draws_live

__all__ = ["print_table", "use_rich"]


def use_rich() -> bool:
    """Draw tables with rich: stdout is a terminal, no one asked for plain text, rich is there."""
    return draws_live(sys.stdout)


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None
) -> None:
    """Print ``rows`` under ``headers`` (a rich table on a terminal, else plain columns)."""
    if not use_rich():
        if title:
            print(f"{title}:")
        print(format_table(headers, rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold cyan")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(file=sys.stdout).print(table)
