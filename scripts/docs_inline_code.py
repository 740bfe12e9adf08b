"""mkdocs hook: inline code wraps between its words only, never inside one.

A name such as ``--no-stream``, ``automatic_speech_recognition`` or a model id would
otherwise break at a hyphen or a slash at the end of a line. Each word of inline
``<code>`` goes in a ``<span class="nw">`` (``white-space: nowrap`` in
docs/stylesheets/extra.css), so a command line still wraps, at its spaces. The text (and
what a reader copies) is unchanged.
"""

from __future__ import annotations

import re
from typing import Any

# Inline code only: code blocks are highlighted, so their <code> holds <span> elements.
_INLINE = re.compile(r"<code>([^<]+)</code>")
_WORD = re.compile(r"\S+")


def _words(match: re.Match[str]) -> str:
    return "<code>" + _WORD.sub(r'<span class="nw">\g<0></span>', match.group(1)) + "</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    return _INLINE.sub(_words, html)
