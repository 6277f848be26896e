"""Story screen, "My Mikkeli": free text typed on our own docked keyboard, optional details.

The story lives in ``text`` only (no TextInput with its own buffer or clipboard), so
:meth:`clear` really forgets it. The box shows the end of a long story with "…" in front rather
than overflowing. A counter runs to ``STORY_MAX_CHARS``; keys past it are ignored. A second panel
("About you") offers the optional age group and district chips; both panels share the send
button.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import StringProperty

from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.widgets import ButtonPool, ChipButton
from sync.protocol import STORY_MAX_CHARS

__all__ = ["StoryScreen", "AGE_GROUP_LABELS"]

# Age groups are slugs in the records; these are their words on screen.
AGE_GROUP_LABELS = {
    "under-18": N_("Under 18"),
    "18-29": "18–29",
    "30-44": "30–44",
    "45-64": "45–64",
    "65-74": "65–74",
    "75+": N_("75 or over"),
}


def age_group_label(slug: str) -> str:
    label = AGE_GROUP_LABELS.get(slug)
    return slug if label is None else _(label)  # plain ranges have no msgid and stay as they are


def district_label(slug: str) -> str:
    """District slugs are Finnish place names; Swedish shows the Swedish name where one exists."""
    from kiosk.i18n import current_language
    from kiosk.place_names import place_name

    return place_name(slug, current_language())


class StoryScreen(KioskScreen):
    text = StringProperty("")
    shown_text = StringProperty("")
    age_group = StringProperty("")
    district = StringProperty("")
    panel = StringProperty("write")

    def __init__(self, **kwargs):
        self._fit_trigger = Clock.create_trigger(self._fit_text, -1)
        self._measure = None
        self._age_pool = ButtonPool(ChipButton, self.pick)
        self._district_pool = ButtonPool(ChipButton, self.pick)
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget) -> None:
        self._panels = {
            "write": self.ids.write_panel.__self__,
            "about": self.ids.about_panel.__self__,
        }
        self.ids.panels.remove_widget(self.ids.about_panel)
        self.fbind("text", self._fit_trigger)
        self.ids.story_label.fbind("width", self._fit_trigger)
        self.ids.story_box.fbind("height", self._fit_trigger)
        self.ids.story_label.fbind("font_size", self._fit_trigger)
        self.app.tr.bind(lang=self.build_chips)
        self._fit_trigger()

    def on_pre_enter(self, *_args) -> None:
        self.build_chips()

    # --- typing

    def type_text(self, text: str) -> None:
        room = STORY_MAX_CHARS - len(self.text)
        if room > 0:
            self.text += text[:room]

    def backspace(self) -> None:
        self.text = self.text[:-1]

    def counter(self, text: str, lang: str) -> str:
        return _("{count} / {limit} characters").format(count=len(text), limit=STORY_MAX_CHARS)

    def _fit_text(self, *_args) -> None:
        """Show as much of the story's end as fits the box, with a cursor after it."""
        label, box = self.ids.story_label, self.ids.story_box
        room = box.height - box.padding[1] - box.padding[3]
        text = self.text
        if not text:
            self.shown_text = ""
            return
        width = max(1, label.width)
        # One measuring label, reused: a new CoreLabel per call costs a font load (~0.2 s).
        if self._measure is None:
            self._measure = CoreLabel()
        core = self._measure
        core.options["font_size"] = label.font_size
        core.text_size = (width, None)

        def height(s: str) -> float:
            core.text = s
            core.refresh()
            return core.texture.size[1]

        if height(text + "|") <= room:
            self.shown_text = text + "|"
            return
        lo, hi = 0, len(text)  # smallest start whose tail fits
        while lo < hi:
            mid = (lo + hi) // 2
            if height("…" + text[mid:] + "|") <= room:
                hi = mid
            else:
                lo = mid + 1
        self.shown_text = "…" + text[lo:] + "|"

    # --- the optional details

    def show_panel(self, name: str) -> None:
        if name == self.panel:
            return
        holder = self.ids.panels
        holder.remove_widget(self._panels[self.panel])
        holder.add_widget(self._panels[name])
        self.panel = name

    def build_chips(self, *_args) -> None:
        content = self.app.content()
        self._age_pool.fill(
            self.ids.age_chips,
            [(slug, age_group_label(slug)) for slug in content.age_groups],
            {self.age_group},
        )
        self._district_pool.fill(
            self.ids.district_chips,
            [(slug, district_label(slug)) for slug in content.districts],
            {self.district},
        )

    def pick(self, chip: ChipButton) -> None:
        """One choice per group; tapping the chosen chip again removes the choice."""
        is_age = chip.parent is self.ids.age_chips.__self__  # ids hold weak proxies
        current = self.age_group if is_age else self.district
        value = "" if current == chip.value else chip.value
        if is_age:
            self.age_group = value
        else:
            self.district = value
        for other in chip.parent.children:
            other.selected = other.value == value

    # --- leaving

    def send(self) -> None:
        self.app.flow.submit_story(self.text, self.age_group or None, self.district or None)

    def skip(self) -> None:
        self.app.flow.after_story()

    def clear(self) -> None:
        self.text = ""
        self.shown_text = ""
        self.age_group = ""
        self.district = ""
        self.ids.keyboard.shift = False
        self.show_panel("write")
        for grid in (self.ids.age_chips, self.ids.district_chips):
            for chip in grid.children:
                chip.selected = False


load_kv("story")
