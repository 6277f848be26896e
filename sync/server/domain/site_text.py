"""Admin-edited page text as safe HTML: blank lines separate paragraphs, a line starting with
``# `` is a heading. Nothing else is markup, so an admin cannot break the page or add a script.

A caller may rely on: the result being escaped (``markupsafe``) whatever the input.
"""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["to_html"]


def to_html(text: str) -> Markup:
    parts: list[str] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("# "):
            head, _, rest = block.partition("\n")
            parts.append(f"<h2>{escape(head[2:].strip())}</h2>")
            block = rest.strip()
            if not block:
                continue
        lines = [str(escape(line)) for line in block.split("\n")]
        parts.append("<p>" + "<br>".join(lines) + "</p>")
    return Markup("\n".join(parts))
