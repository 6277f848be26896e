"""The audit trail's vocabulary: who acted (:class:`Actor`) and the actions staff can take.

A caller may rely on: every action name in :data:`ACTIONS` having a label in the staff web's
catalogue (``web.po``), so the audit page never shows a raw code; :class:`Actor` being what a
resource passes down to ``sync.server.db.audit.append`` — the signed-in user's name and the
address the request came from.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACTIONS", "SYSTEM", "Actor", "action_label"]


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff account's name (or ``system``/``cli``) and their address."""

    name: str
    address: str = ""


SYSTEM = Actor("system")

# action -> English label (translated through gettext where shown). One place, so the page,
# the export and the tests agree on what exists.
ACTIONS: dict[str, str] = {
    "login": "Signed in",
    "login_failed": "Failed sign-in",
    "logout": "Signed out",
    "story_approve": "Approved a story for the story wall",
    "story_approve_override": "Published a story despite personal data",
    "story_hide": "Hid a story",
    "story_pending": "Returned a story to the queue",
    "story_redact": "Removed a passage",
    "story_redact_all": "Removed all findings",
    "story_dismiss": "Dismissed a finding",
    "story_flag": "Marked a story as holding personal data",
    "story_unflag": "Removed the personal data mark",
    "theme_create": "Created a theme",
    "theme_edit": "Edited a theme",
    "theme_publish": "Published a theme",
    "step_add": "Added a step",
    "step_edit": "Edited a step",
    "step_delete": "Deleted a step",
    "update_add": "Added an update",
    "update_delete": "Deleted an update",
    "event_save": "Saved an event",
    "event_activate": "Made an event active",
    "export": "Exported data",
    "usb_import": "Imported a batch file",
    "usb_import_refused": "Refused a batch file",
    "kiosk_enrol": "Enrolled a kiosk",
    "kiosk_disable": "Disabled a kiosk",
    "account_create": "Created an account",
    "account_change": "Changed an account",
    "account_disable": "Disabled an account",
    "account_password": "Reset a password",
    "account_sign_out": "Signed an account out everywhere",
    "purge": "Erased data past its retention",
    "privacy_notice_edit": "Edited the privacy notice",
}


def action_label(action: str) -> str:
    """The English label of an action (a msgid); an unknown one is shown as itself."""
    return ACTIONS.get(action, action)
