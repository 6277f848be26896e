"""Which käyttäjätori event the kiosk's new records belong to, and what staff may switch to.

The server decides first: kiosk-config's ``event`` is this kiosk's active event, and ``events``
lists the ones its staff may switch to at the kiosk (the active one and the coming ones). A
caller may rely on:

- Staff's choice at the kiosk holds only while the server's active event for this kiosk stays
  the one it was when they chose. When staff on the server make another event active, that
  reaches the kiosk, whatever was chosen here before.
- Choosing the server's own event clears the choice. Without any server event (no kiosk-config
  and no demo event), the config file's ``[event] active`` id is offered and used.
- :meth:`EventChoice.current` is an ``EventInfo`` (or its plain first-frame stand-in) or None;
  :meth:`EventChoice.current_id` is always an id.

Imports no Kivy; the choice is kept in the store's metadata, so it survives a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CHOICE_KEY", "EventChoice"]

CHOICE_KEY = "active_event"  # store metadata: {"id": chosen id, "over": server event id or None}


class EventChoice:
    def __init__(self, store: Any, content: Callable[[], Any], configured: str, default: str):
        self._store = store
        self._content = content  # the kiosk-config now (it changes between visits)
        self._configured = configured  # the config file's event id, "" when none
        self._default = default

    def current(self) -> Any | None:
        """The event new records belong to, with its name and question, or None."""
        content = self._content()
        choice = self._choice()
        if choice is not None and choice.get("over") == _id_of(content.event):
            for event in _switchable(content):
                if event.id == choice["id"]:
                    return event
        return content.event

    def current_id(self) -> str:
        info = self.current()
        if info is not None:
            return info.id
        choice = self._choice()
        if choice is not None and choice.get("over") is None:
            return choice["id"]  # the config file's event, chosen while there was no server event
        return self._configured or self._default

    def known(self) -> list[tuple[str, Any]]:
        """What staff may switch to: (id, EventInfo, or None when only the id is known)."""
        content = self._content()
        known: dict[str, Any] = {event.id: event for event in _switchable(content)}
        if self._configured and content.event is None:
            known.setdefault(self._configured, None)
        return list(known.items())

    def choose(self, event_id: str) -> None:
        over = _id_of(self._content().event)
        value = None if event_id == over else {"id": event_id, "over": over}
        self._store.set_meta(CHOICE_KEY, value)

    def _choice(self) -> dict[str, Any] | None:
        choice = self._store.get_meta(CHOICE_KEY)
        return choice if isinstance(choice, dict) and choice.get("id") else None


def _id_of(event: Any | None) -> str | None:
    return event.id if event is not None else None


def _switchable(content: Any) -> list[Any]:
    events = list(content.events or [])
    if content.event is not None and all(e.id != content.event.id for e in events):
        events.insert(0, content.event)  # a kiosk-config from before events were listed
    return events
