"""A small picture of a theme's mood: one drawn face per recent week, showing that week's mean.

Drawn expressions rather than coloured bars, so the picture reads the same in the high-contrast
palette (where every face fill is alike) and never relies on colour alone. A week without
ratings leaves an empty slot.
"""

from __future__ import annotations

from kivy.properties import ListProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.widgets.faces import FaceDrawing

__all__ = ["MoodChart", "mean_face"]


def mean_face(counts) -> int | None:
    """The face (1..4) nearest to the mean rating of one week's counts; None for no ratings."""
    total = sum(counts)
    if not total:
        return None
    mean = sum((i + 1) * c for i, c in enumerate(counts)) / total
    return min(4, max(1, int(mean + 0.5)))


class MoodChart(BoxLayout):
    weeks = ListProperty([])  # [(count_face1, .., count_face4), ...], oldest first
    pal = ObjectProperty(None, allownone=True)

    def on_weeks(self, *_args) -> None:
        self.clear_widgets()
        for counts in self.weeks:
            face = mean_face(counts)
            if face is None:
                self.add_widget(Widget())
                continue
            self.add_widget(FaceDrawing(rating=face))
        self._colour()

    def on_pal(self, *_args) -> None:
        self._colour()

    def _colour(self) -> None:
        if self.pal is None:
            return
        for child in self.children:
            if isinstance(child, FaceDrawing):
                fill, line, _label = self.pal.face(int(child.rating))
                child.fill_color, child.line_color = fill, line
