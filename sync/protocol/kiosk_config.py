"""The kiosk-config: what ``GET /api/v1/kiosk-config`` answers, and the shape of the bundled
demo content (pydantic).

Everything a kiosk shows that staff keep current on the server: the event, themes with their
velho, path and updates, mood counts and the approved stories of the story wall.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from sync.protocol.constants import AGE_GROUPS, RATINGS

__all__ = [
    "EventInfo",
    "KioskConfig",
    "Localized",
    "MoodWeek",
    "PathStep",
    "StatusUpdate",
    "ThemeInfo",
    "Velho",
    "WallStory",
]


class Localized(BaseModel):
    """A text in the kiosk's three languages. Finnish is required; the others fall back to it."""

    fi: str
    sv: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        return getattr(self, lang, "") or self.fi


class Velho(BaseModel):
    """The process person of a theme; without one a theme does not move."""

    name: str
    role: Localized
    contact: str | None = Field(
        default=None, description="Shown publicly only when staff set it so."
    )
    photo_url: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^https?://[^\s]+$",
        description="The velho's photo (http or https), set by staff; kiosks cache it.",
    )


class PathStep(BaseModel):
    """One dated step on a theme's path, which should reach a year ahead."""

    date: str = Field(description="ISO date, YYYY-MM-DD.")
    title: Localized
    done: bool = False


class StatusUpdate(BaseModel):
    """'What happened' - the 'we did' of 'you said - we did'."""

    date: str = Field(description="ISO date, YYYY-MM-DD.")
    text: Localized


class MoodWeek(BaseModel):
    """Counts of the four faces in one ISO week."""

    week: str = Field(description="ISO week such as 2026-W47.")
    counts: dict[str, int] = Field(description='Keys "1".."4", one per face.')


class ThemeInfo(BaseModel):
    id: str
    name: Localized
    velho: Velho | None = None
    path: list[PathStep] = Field(default_factory=list)
    updates: list[StatusUpdate] = Field(default_factory=list)
    mood_weeks: list[MoodWeek] = Field(default_factory=list)


class EventInfo(BaseModel):
    id: str
    name: Localized
    date: str = Field(description="ISO date of the käyttäjätori, YYYY-MM-DD.")
    question: Localized
    location: str = ""
    answers: list[Localized] = Field(
        default_factory=list,
        description="The four answer labels under the faces, worst (1) to best (4), set together"
        " with the question so they answer it; empty means the kiosk's defaults"
        ' ("Very poorly" .. "Very well").',
    )

    @field_validator("answers")
    @classmethod
    def _four_answers(cls, value: list[Localized]) -> list[Localized]:
        if value and len(value) != len(RATINGS):
            raise ValueError(f"give all {len(RATINGS)} answer labels, or none for the defaults")
        return value


class WallStory(BaseModel):
    """An approved 'Minun Mikkelini' story for the kiosk's story wall."""

    id: str
    text: str
    lang: Literal["fi", "sv", "en"] = "fi"
    theme_ids: list[str] = Field(default_factory=list)


class KioskConfig(BaseModel):
    """Everything a kiosk shows that staff keep current on the server."""

    generated_at: str
    public_base_url: str = Field(
        description="Base of the follow-up links a visitor's phone can reach."
    )
    event: EventInfo | None = Field(
        default=None,
        description="This kiosk's active event: one that lists the kiosk, else one for all kiosks.",
    )
    events: list[EventInfo] = Field(
        default_factory=list,
        description="Events the kiosk's staff may switch to: the active one and the coming ones,"
        " by date (at most 5).",
    )
    themes: list[ThemeInfo] = Field(default_factory=list)
    stories: list[WallStory] = Field(default_factory=list)
    age_groups: list[str] = Field(default_factory=lambda: list(AGE_GROUPS))
    districts: list[str] = Field(default_factory=list)
    usb_public_key: str = Field(
        default="",
        description="The server's public key (base64, X25519) that USB batch files are sealed "
        "to (sync/usb_crypto.py); empty from servers that have none.",
    )
