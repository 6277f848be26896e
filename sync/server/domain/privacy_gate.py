"""The privacy gate: whether a story may be shown to the public, and why not.

A story's text is searched for personal data (:func:`find_personal_data`); each finding stays
*open* until staff redact it (the text changes, so the finding is gone) or dismiss it ("this is
not personal data", remembered by kind and text). A moderator may also flag a story by hand
("holds personal data"), which is an open finding of its own. A story with open findings can be
published only with a written reason (the override), which the audit trail keeps.

A caller may rely on: :func:`assess` being pure (no database, no clock); :func:`publishable`
being the one rule every public surface applies — kiosk-config's story wall, public pages,
open data — so a form that forgot the gate still cannot publish; :func:`redact_all` replacing
every open finding with the redaction mark in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sync.server.domain.moderation import REDACTION_MARK, Finding, find_personal_data

__all__ = [
    "MANUAL_FLAG",
    "MIN_REASON_CHARS",
    "GateClosed",
    "StoryPrivacy",
    "assess",
    "finding_key",
    "publishable",
    "redact_all",
]

MANUAL_FLAG = "manual"
# A reason of a few words at least: "ok" does not tell a later reader why a phone number went
# public.
MIN_REASON_CHARS = 10


class GateClosed(ValueError):
    """Approving was refused: the story has open personal-data findings and no reason was given."""


def finding_key(finding: Finding) -> str:
    """How a dismissal remembers a finding: its kind and its text, not its position (a
    redaction elsewhere in the story moves positions but not what was dismissed)."""
    return f"{finding.kind}:{finding.text}"


@dataclass(frozen=True)
class StoryPrivacy:
    """What the gate knows of one story's text."""

    open_findings: tuple[Finding, ...]
    dismissed: tuple[Finding, ...]
    manually_flagged: bool
    override_reason: str | None

    @property
    def has_open_findings(self) -> bool:
        return bool(self.open_findings) or self.manually_flagged

    @property
    def gate_open(self) -> bool:
        """True when nothing stands in the way of publishing (or staff overrode with a reason)."""
        return not self.has_open_findings or bool(self.override_reason)


def assess(
    text: str | None,
    *,
    dismissed_keys: Iterable[str] | None = None,
    manually_flagged: bool = False,
    override_reason: str | None = None,
) -> StoryPrivacy:
    """The findings of ``text`` split into open and dismissed ones."""
    dismissed_set = set(dismissed_keys or ())
    open_: list[Finding] = []
    dismissed: list[Finding] = []
    for finding in find_personal_data(text):
        (dismissed if finding_key(finding) in dismissed_set else open_).append(finding)
    return StoryPrivacy(
        open_findings=tuple(open_),
        dismissed=tuple(dismissed),
        manually_flagged=bool(manually_flagged),
        override_reason=(override_reason or "").strip() or None,
    )


def publishable(status: str | None, text: str | None, privacy: StoryPrivacy) -> bool:
    """The one rule for every public surface: approved, has text, and the gate is open.

    Hidden, pending and withdrawn stories never pass, whatever their findings.
    """
    return status == "approved" and bool((text or "").strip()) and privacy.gate_open


def redact_all(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every finding's span replaced by :data:`REDACTION_MARK`.

    Spans are replaced from the end so earlier positions stay valid; overlapping spans are
    merged. Raises ``ValueError`` when there is nothing to redact.
    """
    spans = sorted((f.start, f.end) for f in findings)
    if not spans:
        raise ValueError("The story has no findings to remove.")
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + REDACTION_MARK + text[end:]
    return text
