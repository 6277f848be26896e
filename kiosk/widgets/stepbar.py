"""The bottom bar of every visitor screen during a visit: ◀ Back, Cancel, the step, Continue ▶.

One bar below the screen area (kv in ``kiosk/kv/root.kv``), so its buttons are in the same
place on every screen. It asks the flow (``app.flow``) what to do: :meth:`VisitFlow.back`,
:meth:`VisitFlow.cancel`, :meth:`VisitFlow.go_on`; and shows :meth:`VisitFlow.step` as
"Step 2/4". On screens off a visit's path (attract, staff) it is folded away: no height, not
drawn, not touchable. It refreshes whenever the screen manager's ``current`` changes.

Its buttons are in the same place on every screen, so a double tap on "Continue" would take two
steps: like the screen area, the bar ignores touches while the manager is still settling after a
screen change (kiosk.touch.GuardedScreenManager.settling).
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty

from kiosk.i18n import _
from kiosk.widgets.painted import PaintedBox

__all__ = ["StepBar"]


class StepBar(PaintedBox):
    manager = ObjectProperty(None, allownone=True)
    flow = ObjectProperty(None, allownone=True)
    shown = BooleanProperty(False)
    # (number, total) of the current step, or () off the path.
    step = ListProperty([])
    can_go_on = BooleanProperty(True)

    def __init__(self, **kwargs):
        # After the change is complete (current_screen set), before the next frame is drawn.
        self._refresh_trigger = Clock.create_trigger(self.refresh, -1)
        super().__init__(**kwargs)

    def on_manager(self, _instance, manager) -> None:
        if manager is not None:
            manager.fbind("current", self._refresh_trigger)
        self._refresh_trigger()

    def on_touch_down(self, touch):
        if not self.shown:
            # Folded away its buttons keep a size at the window's bottom edge, and a disabled
            # widget swallows the touches it collides with: the attract screen's "Previous"
            # under them never got its taps.
            return False
        settling = getattr(self.manager, "settling", False)
        if settling and self.collide_point(*touch.pos):
            return True  # the second half of a double tap on the step before
        return super().on_touch_down(touch)

    def on_flow(self, *_args) -> None:
        self._refresh_trigger()

    def refresh(self, *_args) -> None:
        flow = self.flow
        if flow is None or self.manager is None:
            return
        step = flow.step()
        self.step = list(step) if step else []
        self.shown = step is not None
        self.can_go_on = flow.can_go_on() if step else False

    def step_text(self, step: list, lang: str) -> str:
        if not step:
            return ""
        # fi "Vaihe 2/4", sv "Steg 2/4", en "Step 2 of 4"
        return _("Step {number} of {total}").format(number=step[0], total=step[1])
