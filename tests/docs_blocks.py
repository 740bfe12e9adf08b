"""Fenced code blocks of the Markdown docs, and the cassettes each replays in the doc tests.

The cassettes a ```python block needs are named in HTML comments right above its fence, so
readers of the rendered site never see them::

    <!-- cassette: together/chat_completion.yaml -->

    ```python
    from infermux import InferenceClient
    ...
    ```

Comments (one cassette each) and blank lines may stand between the last comment and the
fence; anything else ends the run of comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)
_COMMENT = re.compile(r"^<!-- cassette: (\S+) -->$")
#: The old in-code marker, now refused in the docs (it showed in the rendered samples).
IN_CODE_MARKER = re.compile(r"^# cassette: ", re.M)


@dataclass(frozen=True)
class Block:
    language: str
    info: str  # the rest of the fence line: "no-run" ...
    code: str
    line: int  # 1-based line of the first line of code
    cassettes: tuple[str, ...]


def _cassettes_above(text: str, start: int) -> tuple[str, ...]:
    found: list[str] = []
    for line in reversed(text[:start].splitlines()):
        if not line.strip():
            continue
        match = _COMMENT.match(line.strip())
        if match is None:
            break
        found.append(match.group(1))
    return tuple(reversed(found))


def code_blocks(text: str) -> list[Block]:
    """Every fenced block of ``text``, in order."""
    return [
        Block(
            language=match.group(1),
            info=match.group(2),
            code=match.group(3),
            line=text.count("\n", 0, match.start()) + 2,
            cassettes=_cassettes_above(text, match.start()),
        )
        for match in _BLOCK.finditer(text)
    ]
