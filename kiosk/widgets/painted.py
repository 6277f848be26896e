"""Containers that paint their own background (``bg_color``) and optional outline."""

from __future__ import annotations

from kivy.properties import ColorProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

__all__ = ["Painted", "PaintedBox"]


class Painted(Widget):
    """Mixin-like marker: paints ``bg_color`` behind its children (kv rule in widgets.kv)."""

    bg_color = ColorProperty((0, 0, 0, 0))
    line_color = ColorProperty((0, 0, 0, 0))
    line_width = NumericProperty(0)
    radius = NumericProperty(0)


class PaintedBox(BoxLayout, Painted):
    """A BoxLayout with a painted background: screens, cards, bars."""
