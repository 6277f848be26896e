"""Big text buttons and selectable chips, sized from ``app.look`` (kv rules in widgets.kv).

``BigButton`` is a Label with ButtonBehavior that paints ``bg_color`` and an outline; its
``role`` names the palette pair it uses ("primary", "secondary", "danger"). ``ChipButton`` is a
toggle whose ``selected`` state is shown by colour *and* a drawn check mark, never colour alone.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

__all__ = ["BigButton", "ButtonPool", "ChipButton"]


class BigButton(ButtonBehavior, Label):
    role = StringProperty("primary")
    bg_color = ColorProperty((0, 0, 0, 1))
    line_color = ColorProperty((0, 0, 0, 1))
    radius = NumericProperty(12)
    # True: the label wraps inside the button's width; False: the button grows to its label.
    wrap = BooleanProperty(True)
    # Names in ``app.look.sizes``: the text size, and the size whose multiple is the least height.
    text_style = StringProperty("body")
    target_style = StringProperty("target")
    target_factor = NumericProperty(1.0)
    # A value carried for the handler (theme id, key text...), so one handler serves many buttons.
    value = StringProperty("")


class ChipButton(BigButton):
    selected = BooleanProperty(False)


class ButtonPool:
    """Fills a layout with buttons for a list of ``(value, text)``, reusing the ones it made.

    Buttons are never thrown away: a kv rule binds each button to ``app.look`` and ``app.tr``,
    and Kivy keeps those bindings after the button is gone, so a discarded button would leak and
    later fail with a dead weak reference when the palette or language changes.
    """

    def __init__(self, factory, on_release):
        self._factory = factory
        self._on_release = on_release
        self._made: list = []

    def fill(self, layout, items, selected=()) -> None:
        items = list(items)
        wanted = self._made[: len(items)]
        while len(wanted) < len(items):
            button = self._factory()
            button.bind(on_release=self._on_release)
            self._made.append(button)
            wanted.append(button)
        for button, (value, text) in zip(wanted, items, strict=True):
            button.value, button.text = value, text
            if hasattr(button, "selected"):
                button.selected = value in selected
        if list(reversed(layout.children)) != wanted:
            layout.clear_widgets()
            for button in wanted:
                layout.add_widget(button)
