"""Staff screen: PIN first, then counts, sync, USB export, active event and exit.

Opened by a long press in the top-left corner. The PIN is checked by ``app.pin_guard``
(:class:`kiosk.pin.PinGuard`: 5 wrong tries lock it for 5 minutes, kept in the store's metadata
so a restart does not lift the lock). The panel calls the injectable ``app.sync_service``
(``sync_now()``, ``export_to(folder)``, ``status()``); without one those buttons are disabled.
Exit is the only way the kiosk window closes.
"""

from __future__ import annotations

import glob
import os

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.i18n import _, format_date
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.widgets import BigButton, ButtonPool, ChipButton

__all__ = ["StaffScreen", "usb_folders"]

# Where Debian's desktop and udisks mount USB sticks, and the admin's usual mount point.
USB_GLOBS = ("/media/*/*", "/run/media/*/*", "/media/usb*", "/mnt/*")


def usb_folders(patterns=USB_GLOBS) -> list[str]:
    """Writable mounted folders that look like USB sticks, sorted."""
    found = set()
    for pattern in patterns:
        for path in glob.glob(pattern):
            if os.path.isdir(path) and os.access(path, os.W_OK):
                found.add(path)
    return sorted(found)


class StaffScreen(KioskScreen):
    unlocked = BooleanProperty(False)
    pin = StringProperty("")
    message = StringProperty("")
    status_lines = ListProperty([])
    folders = ListProperty([])

    def __init__(self, **kwargs):
        self._refresh = None
        self._event_pool = ButtonPool(ChipButton, lambda chip: self.choose_event(chip.value))
        self._usb_pool = ButtonPool(
            lambda: BigButton(role="secondary"), lambda button: self.export(button.value)
        )
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget) -> None:
        self._panels = {False: self.ids.pin_panel.__self__, True: self.ids.staff_panel.__self__}
        self.ids.body.remove_widget(self.ids.staff_panel)

    def on_unlocked(self, _instance, unlocked: bool) -> None:
        body = self.ids.body
        body.remove_widget(self._panels[not unlocked])
        if self._panels[unlocked].parent is None:
            body.add_widget(self._panels[unlocked])
        if unlocked:
            self.refresh()
            self._refresh = Clock.schedule_interval(self.refresh, 1.0)
        elif self._refresh is not None:
            self._refresh.cancel()
            self._refresh = None

    # --- PIN

    def pin_key(self, digit: str) -> None:
        if len(self.pin) < 12:
            self.pin += digit

    def pin_delete(self) -> None:
        self.pin = self.pin[:-1]

    def pin_ok(self) -> None:
        guard = self.app.pin_guard
        if not guard.configured:
            self.message = _("No staff PIN is set in the configuration (staff.pin_hash).")
            self.pin = ""
            return
        result = guard.check(self.pin)
        self.pin = ""
        if result.ok:
            self.message = ""
            self.unlocked = True
        elif result.locked_seconds:
            minutes = max(1, int(result.locked_seconds // 60 + (result.locked_seconds % 60 > 0)))
            self.message = _("Too many wrong tries. Locked for {minutes} min.").format(
                minutes=minutes
            )
        else:
            self.message = _("Wrong PIN. Tries left: {n}").format(n=result.tries_left)

    def pin_dots(self, pin: str) -> str:
        return "•" * len(pin) if pin else _("Enter the staff PIN")

    # --- panel

    def refresh(self, *_args) -> None:
        store = self.app.store
        counts = store.counts()
        known = dict(self.app.events.known())
        current = self.app.events.current_id()
        lines = [
            _("Waiting to be sent: {n}").format(n=counts.get("pending", 0)),
            _("Sent: {n}").format(n=counts.get("synced", 0)),
            _("Active event: {event}").format(event=self._event_label(current, known.get(current))),
        ]
        service = self.app.sync_service
        if service is None:
            lines.append(_("Sync is not set up on this kiosk."))
        else:
            from kiosk.sync_service import describe_status

            lines.extend(describe_status(service.status(), _)[1:])
        self.status_lines = lines
        self.folders = usb_folders()
        self._build_choices(known, current)

    def _event_label(self, event_id: str, info) -> str:
        """An event as staff know it: its name and date in the kiosk's language, else its id."""
        if info is None:
            return event_id
        lang = self.app.tr.lang
        return f"{info.name.get(lang) or event_id} · {format_date(info.date, lang)}"

    def _build_choices(self, known: dict, current: str) -> None:
        choices = [(e, self._event_label(e, info)) for e, info in known.items()]
        self._event_pool.fill(self.ids.events, choices, {current})
        self._usb_pool.fill(self.ids.usb, [(f, f) for f in self.folders])
        for button in self.ids.usb.children:
            button.disabled = self.app.sync_service is None

    def choose_event(self, event_id: str) -> None:
        self.app.events.choose(event_id)
        self.refresh()

    def sync_now(self) -> None:
        if self.app.sync_service is not None:
            self.app.sync_service.sync_now()
            self.message = _("Sync started.")

    def export(self, folder: str) -> None:
        service = self.app.sync_service
        if service is None:
            return
        self.message = _("Exporting to {folder}…").format(folder=folder)
        future = service.export_to(folder)

        def done(fut) -> None:
            try:
                report = fut.result()
            except Exception as exc:  # the exporter's error names the problem
                text = _("Export failed: {error}").format(error=exc)
            else:
                text = _("Exported {n} records to {folder}.").format(
                    n=getattr(report, "records", "?"), folder=folder
                )
            Clock.schedule_once(lambda _dt: setattr(self, "message", text))

        future.add_done_callback(done)

    def close(self) -> None:
        self.app.flow.finish()

    def exit_kiosk(self) -> None:
        self.app.exit_kiosk()

    def clear(self) -> None:
        self.pin = ""
        self.message = ""
        self.unlocked = False


load_kv("staff")
