"""A Jinja extension that translates constant ``_("...")`` calls when a template is compiled.

Each language gets its own Environment with this extension: a call ``_("Some text")`` (or
``gettext("Some text")``) with one string literal and nothing else becomes the string literal of
its translation in the token stream, so Jinja folds it into the template's static text and a
render does no gettext call for it. Calls with variables (``_("On %(date)s", date=d)``) and
``ngettext`` stay calls, translated at render time by the gettext callables installed on the
environment. Templates stay ordinary gettext templates: ``pybabel extract`` reads them as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

__all__ = ["make_constant_gettext"]


def make_constant_gettext(translate: Callable[[str], str]) -> type[Extension]:
    """An extension class whose constant ``_("...")`` calls become ``translate("...")``."""

    class ConstantGettext(Extension):
        def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
            tokens = list(stream)
            i = 0
            while i < len(tokens):
                window = tokens[i : i + 4]
                if (
                    len(window) == 4
                    and window[0].type == "name"
                    and window[0].value in ("_", "gettext")
                    and window[1].type == "lparen"
                    and window[2].type == "string"
                    and window[3].type == "rparen"
                    # not an attribute or a definition: the previous token must not be a dot
                    and not (i > 0 and tokens[i - 1].type == "dot")
                ):
                    yield Token(window[0].lineno, "string", translate(window[2].value))
                    i += 4
                    continue
                yield tokens[i]
                i += 1

    return ConstantGettext
