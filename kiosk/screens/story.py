"""Story screen, "My Mikkeli": free text typed on our own docked keyboard, optional details.

The story lives in ``text`` only (no TextInput with its own buffer or clipboard), so
:meth:`clear` really forgets it. Typing and backspace work at the caret (``caret``, an index
into ``text``): tapping the story places it near the tap, ◀ ▶ move it, and a story set from
outside puts it at the end. The box shows the part around the caret with "…" where text is
left out, never overflowing: the room is the box less its padding, the counter and the
spacing (at ×1.5 and ×2 the counter is two lines tall). A counter runs to
``STORY_MAX_CHARS``; keys past it are ignored. A second panel ("About you") offers the optional
age group and district chips. "Send" asks first ("Send the story?" with "Edit" / "Send") on a
third panel, so a slip of the finger never sends; it sits at the bottom of the actions column,
away from the keyboard's backspace.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.widgets import ButtonPool, ChipButton, PaintedBox
from sync.protocol import STORY_MAX_CHARS

__all__ = ["StoryScreen", "StoryBox", "AGE_GROUP_LABELS"]

ELLIPSIS = "…"
CARET = "|"
# When the caret is before the part a long story shows, the window starts this many characters
# before it, so a few words of context stay in view.
CARET_CONTEXT = 24

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


class StoryBox(PaintedBox):
    """The story's box: a touch inside it places the caret (``on_place_caret(x, y)``)."""

    __events__ = ("on_place_caret",)

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            self.dispatch("on_place_caret", touch.x, touch.y)
            return True
        return super().on_touch_down(touch)

    def on_place_caret(self, x: float, y: float) -> None:
        pass


class StoryScreen(KioskScreen):
    text = StringProperty("")
    caret = NumericProperty(0)
    shown_text = StringProperty("")
    age_group = StringProperty("")
    district = StringProperty("")
    panel = StringProperty("write")

    def __init__(self, **kwargs):
        self._fit_trigger = Clock.create_trigger(self._fit_text, -1)
        self._measure = None
        self._editing = False
        # The part of ``text`` the box shows: [start, end), and whether "…" stands before it.
        self._window = (0, 0)
        self._age_pool = ButtonPool(ChipButton, self.pick)
        self._district_pool = ButtonPool(ChipButton, self.pick)
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget) -> None:
        self._panels = {
            "write": self.ids.write_panel.__self__,
            "about": self.ids.about_panel.__self__,
            "confirm": self.ids.confirm_panel.__self__,
        }
        self.ids.panels.remove_widget(self.ids.about_panel)
        self.ids.panels.remove_widget(self.ids.confirm_panel)
        self.fbind("text", self._fit_trigger)
        self.fbind("caret", self._fit_trigger)
        self.ids.story_label.fbind("width", self._fit_trigger)
        self.ids.story_box.fbind("height", self._fit_trigger)
        self.ids.story_label.fbind("font_size", self._fit_trigger)
        self.ids.counter.fbind("height", self._fit_trigger)
        self.app.tr.bind(lang=self.build_chips)
        self._fit_trigger()

    def on_pre_enter(self, *_args) -> None:
        self.build_chips()

    # --- typing, at the caret

    def on_text(self, _instance, text: str) -> None:
        if not self._editing:  # set from outside (a test, a reset): the caret goes to the end
            self.caret = len(text)

    def _edit(self, text: str, caret: int) -> None:
        self._editing = True
        try:
            self.text = text
        finally:
            self._editing = False
        self.caret = caret

    def type_text(self, text: str) -> None:
        room = STORY_MAX_CHARS - len(self.text)
        if room > 0:
            at = min(int(self.caret), len(self.text))
            added = text[:room]
            self._edit(self.text[:at] + added + self.text[at:], at + len(added))

    def backspace(self) -> None:
        at = min(int(self.caret), len(self.text))
        if at > 0:
            self._edit(self.text[: at - 1] + self.text[at:], at - 1)

    def move_caret(self, step: int) -> None:
        self.caret = max(0, min(len(self.text), int(self.caret) + step))

    def counter(self, text: str, lang: str) -> str:
        return _("{count} / {limit} characters").format(count=len(text), limit=STORY_MAX_CHARS)

    def text_room(self) -> float:
        """The height the story's text may take: the box less padding, counter and spacing."""
        box = self.ids.story_box
        taken = box.padding[1] + box.padding[3] + self.ids.counter.height
        return box.height - taken - box.spacing * (len(box.children) - 1)

    def _measurer(self) -> CoreLabel:
        # One measuring label, reused: a new CoreLabel per call costs a font load (~0.2 s).
        if self._measure is None:
            self._measure = CoreLabel()
        core = self._measure
        label = self.ids.story_label
        core.options["font_size"] = label.font_size
        core.text_size = (max(1, label.width), None)
        return core

    def _lines(self, s: str) -> list:
        core = self._measurer()
        core.text = s
        core.refresh()
        return list(core._cached_lines)

    def _height(self, s: str) -> float:
        core = self._measurer()
        core.text = s
        core.refresh()
        return core.texture.size[1]

    def _fit_text(self, *_args) -> None:
        """Show as much of the story around the caret as fits the box, "…" where cut."""
        text = self.text
        caret = min(int(self.caret), len(text))
        if not text:
            self.shown_text = ""
            self._window = (0, 0)
            return
        room = self.text_room()

        def shown(start: int, end: int) -> str:
            lead = ELLIPSIS if start > 0 else ""
            tail = ELLIPSIS if end < len(text) else ""
            return lead + text[start:caret] + CARET + text[caret:end] + tail

        def fits(start: int, end: int) -> bool:
            return self._height(shown(start, end)) <= room

        end = len(text)
        lo, hi = 0, caret  # the smallest start whose tail (caret included) fits
        if not fits(hi, end):
            # Even the caret on its own line with the text after it is too much: cut the end.
            lo = hi = max(0, caret - CARET_CONTEXT)
        while lo < hi:
            mid = (lo + hi) // 2
            if fits(mid, end):
                hi = mid
            else:
                lo = mid + 1
        start = lo
        if not fits(start, end):
            e_lo, e_hi = caret, end  # the largest end that fits after the caret
            while e_lo < e_hi:
                mid = (e_lo + e_hi + 1) // 2
                if fits(start, mid):
                    e_lo = mid
                else:
                    e_hi = mid - 1
            end = e_lo
        self._window = (start, end)
        self.shown_text = shown(start, end)

    def place_caret(self, x: float, y: float) -> None:
        """Put the caret at the character nearest to a tap at (x, y) (the screen's coordinates)."""
        if self.panel != "write" or not self.text:
            return
        label = self.ids.story_label
        start, end = self._window
        lead = ELLIPSIS if start > 0 else ""
        # The tap as (line, x) in the label's text, lines counted from the top.
        lines = self._lines(lead + self.text[start:end])
        below, tapped_line = label.top - y, None
        for number, line in enumerate(lines):
            below -= line.h
            if below < 0:
                tapped_line = number
                break
        if tapped_line is None:
            self.caret = end  # below the last line: the end of what is shown
            return
        target = (tapped_line, x - label.x)

        def position(i: int) -> tuple[int, float]:
            prefix_lines = self._lines(lead + self.text[start : start + i] + CARET)
            return len(prefix_lines) - 1, prefix_lines[-1].w if prefix_lines else 0.0

        lo, hi = 0, end - start  # the largest prefix whose end is not after the tap
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if position(mid) <= target:
                lo = mid
            else:
                hi = mid - 1
        self.caret = start + lo

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

    def ask_send(self) -> None:
        """ "Send": ask first; with nothing written there is nothing to send, so move on."""
        if self.text.strip():
            self.show_panel("confirm")
        else:
            self.skip()

    def send(self) -> None:
        self.app.flow.submit_story(self.text, self.age_group or None, self.district or None)

    def skip(self) -> None:
        self.app.flow.after_story()

    def go_back(self) -> bool:
        """The bottom bar's Back: from "About you" or the question back to writing first."""
        if self.panel != "write":
            self.show_panel("write")
            return True
        return False

    def go_on(self) -> None:
        """The bottom bar's Continue: send after asking, or move on when nothing is written."""
        if self.panel == "confirm":
            self.send()
        else:
            self.ask_send()

    def clear(self) -> None:
        self.text = ""
        self.caret = 0
        self.shown_text = ""
        self.age_group = ""
        self.district = ""
        self.ids.keyboard.shift = False
        self.show_panel("write")
        for grid in (self.ids.age_chips, self.ids.district_chips):
            for chip in grid.children:
                chip.selected = False


load_kv("story")
