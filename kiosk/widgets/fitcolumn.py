"""A vertical column that drops its least important children when they do not all fit.

At text size x2 a theme card cannot show every detail in 1080 pixels; instead of clipping or
scrolling (a gesture many seniors find hard), the card leaves out the details with the lowest
``priority`` first (higher numbers go first). A child left out is removed from the layout, not
hidden under another, so no label ever overflows its box. Children lay out top-down with their
own ``height`` (``size_hint_y`` None); the room left over goes above the first child marked
``push_down`` (or at the bottom).
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

__all__ = ["FitColumn"]


class FitColumn(BoxLayout):
    def __init__(self, **kwargs):
        self._all: list = []
        self._spacer = Widget()  # takes the room left over, so the details sit at the top
        self._fit_trigger = Clock.create_trigger(self._fit, -1)
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.fbind("height", self._fit_trigger)

    def add_widget(self, widget, *args, **kwargs):
        if widget not in self._all:
            self._all.append(widget)
            widget.fbind("height", self._fit_trigger)
        return super().add_widget(widget, *args, **kwargs)

    def remove_all(self) -> None:
        for widget in self._all:
            widget.funbind("height", self._fit_trigger)
        self._all = []
        self.clear_widgets()

    def fit_now(self) -> None:
        """Lay out at once instead of on the next frame."""
        self._fit()

    @property
    def shown(self) -> list:
        return [w for w in self._all if w.parent is self]

    def _fit(self, *_args) -> None:
        pad = self.padding
        room = self.height - pad[1] - pad[3]
        inner = self.width - pad[0] - pad[2]
        for widget in self._all:
            # A child left out keeps a stale width; measure it at the width it would get.
            if widget.size_hint_x is not None and widget.width != inner:
                widget.width = inner
            if isinstance(widget, Label):
                widget.texture_update()
            elif widget.children:
                # A group that leaves as one (a heading and its text): its labels take the
                # group's width now, so its height is this width's, not the last frame's.
                widget.do_layout()
                for child in widget.walk(restrict=True):
                    if isinstance(child, Label):
                        child.texture_update()
        # Highest priority number leaves first; ties leave from the bottom up.
        order = sorted(
            range(len(self._all)), key=lambda i: (getattr(self._all[i], "priority", 0), i)
        )
        keep = set(range(len(self._all)))
        for i in reversed(order):
            # The spacer is laid out too: one gap per kept child, not one fewer.
            used = sum(self._all[j].height for j in keep) + self.spacing * len(keep)
            if used <= room or getattr(self._all[i], "priority", 0) == 0:
                break
            keep.discard(i)
        wanted = [w for i, w in enumerate(self._all) if i in keep]
        if wanted != self.shown or self._spacer.parent is not self:
            BoxLayout.clear_widgets(self)
            spacer_placed = False
            for w in wanted:
                # A child marked push_down goes to the bottom, with everything after it.
                if getattr(w, "push_down", False) and not spacer_placed:
                    BoxLayout.add_widget(self, self._spacer)
                    spacer_placed = True
                BoxLayout.add_widget(self, w)
            if not spacer_placed:
                BoxLayout.add_widget(self, self._spacer)
