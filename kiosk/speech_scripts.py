"""What read-aloud says on each screen: a written script, not the widget tree.

A blind visitor needs what a sighted one takes in at a glance, in the order they need it
(EN 301 549 §5.1.3): the heading, what the screen is for, what to do, the choices with their
state, the velho and the next step, the short code. :func:`screen_script` answers those lines
for a screen as it is now, in the current language; numbers, dates and codes are words
(:mod:`kiosk.spoken`), so espeak-ng never says "27 piste 11". :func:`instruction` is each
visitor screen's "what to do" sentence; the tests hold every script to containing it.

A screen without a script here (staff mode) falls back to its own ``spoken_text()``. Reads
screens through their public attributes only and never changes them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.content import theme_card
from kiosk.i18n import N_, _, current_language
from kiosk.spoken import date_words, number_words, speakable, spell
from sync.protocol import MAX_THEMES

__all__ = [
    "PURPOSE",
    "SCRIPTED_SCREENS",
    "instruction",
    "key_name",
    "screen_script",
    "step_bar_line",
]

# What käyttäjätori is and what happens to the answer: on the attract screen and spoken there.
PURPOSE = N_(
    "At the user market (käyttäjätori) residents and the city develop Mikkeli together: "
    "you answer anonymously, and later you will see what came of it."
)

SCRIPTED_SCREENS = ("attract", "rating", "themes", "story", "thanks")

# Names of the keys that are not letters or digits, as the keyboard echo says them.
_KEY_NAMES = {
    " ": N_("space"),
    ",": N_("comma"),
    ".": N_("full stop"),
    "-": N_("hyphen"),
    "?": N_("question mark"),
    "!": N_("exclamation mark"),
    "'": N_("apostrophe"),
    ":": N_("colon"),
    "(": N_("opening bracket"),
    ")": N_("closing bracket"),
    '"': N_("quotation mark"),
    "/": N_("slash"),
}


def key_name(char: str, lang: str | None = None) -> str:
    """How the keyboard echo says ``char``: "iso A" for a capital, digits as words."""
    lang = lang or current_language()
    if char in _KEY_NAMES:
        return _(_KEY_NAMES[char])
    if char.isdigit():
        return number_words(int(char), lang)
    if char.isalpha() and char != char.lower():
        return _("capital {letter}").format(letter=char)
    return char


def instruction(name: str) -> str:
    """The "what to do" sentence of the visitor screen ``name``, in the current language."""
    if name == "attract":
        return _("To start, tap {feedback} or {story}. Both buttons are on the right.").format(
            feedback=_("Give feedback"), story=_("Tell your story")
        )
    if name == "rating":
        return _("Tap the face that fits best. Your answer is saved at once.")
    if name == "themes":
        return _("Tap the themes that matter to you, at most three. Then tap {next}.").format(
            next=_("Continue")
        )
    if name == "story":
        return _(
            "Write with the keyboard at the bottom of the screen. Each key is read aloud. "
            "When you are ready, tap {send}."
        ).format(send=_("Send"))
    if name == "thanks":
        return _("When you are ready, tap {done}.").format(done=_("Done"))
    raise KeyError(f"no instruction for screen {name!r}")


def screen_script(screen: Any) -> list[str]:
    """The lines to speak for ``screen`` as it is now (see the module docstring); on a visit's
    step the bottom bar's step and buttons come last (:func:`step_bar_line`)."""
    lang = current_language()
    script = _SCRIPTS.get(screen.name)
    if script is None:
        return list(screen.spoken_text())
    lines = list(script(screen, lang))
    flow = getattr(getattr(screen, "app", None), "flow", None)
    if flow is not None and flow.current == screen.name:
        lines.append(step_bar_line(flow, lang))
    return [line for line in lines if line]


def step_bar_line(flow: Any, lang: str) -> str:
    """The bottom bar as a blind visitor needs it: which step of how many, and its buttons by
    the names they carry (the same words as :data:`kiosk.widgets.stepbar`'s kv); "" off a
    visit's path."""
    step = flow.step() if flow is not None else None
    if not step:
        return ""
    number, total = step
    buttons = [_("Back"), _("Cancel")]
    if flow.can_go_on():
        buttons.append(_("Done") if number == total else _("Continue"))
    return _("Step {number} of {total}. On the bottom row of the screen: {buttons}.").format(
        number=number_words(number, lang),
        total=number_words(total, lang),
        buttons=", ".join(buttons),
    )


def _count(n: int, total: int, lang: str) -> str:
    return _("{n} of {total}").format(n=number_words(n, lang), total=number_words(total, lang))


def _card_lines(screen: Any, lang: str) -> list[str]:
    card = screen.card
    if card is None:
        return [_("No themes yet")]
    lines = [
        _("Theme {position}: {name}.").format(
            position=_count(screen.index + 1, screen.count, lang), name=card.name
        )
    ]
    if card.velho_name:
        lines.append(_("Velho: {name}, {role}").format(name=card.velho_name, role=card.velho_role))
    else:
        lines.append(_("This theme still needs a velho, a person to move it forward."))
    if card.next_step:
        lines.append(
            _("Next step: {step} ({date})").format(
                step=card.next_step, date=date_words(card.next_date, lang)
            )
        )
    if card.steps_total:
        lines.append(
            _("{done} steps of {total} are done. The path is planned until {date}.").format(
                done=number_words(card.steps_done, lang),
                total=number_words(card.steps_total, lang),
                date=date_words(card.path_end_date, lang),
            )
        )
    if card.update_text:
        lines.append(_("What happened: {text}").format(text=speakable(card.update_text, lang)))
    return lines


def _attract(screen: Any, lang: str) -> list[str]:
    return [
        _("Making development visible"),
        _(PURPOSE),
        instruction("attract"),
        *_card_lines(screen, lang),
        _("To hear the next theme, tap {next}.").format(next=_("Next theme")),
    ]


def _rating(screen: Any, lang: str) -> list[str]:
    faces = [screen.ids[f"face{n}"].text for n in (1, 2, 3, 4) if f"face{n}" in screen.ids]
    chosen = int(getattr(screen, "chosen", 0) or 0)
    return [
        screen.question,
        instruction("rating"),
        _("The faces from left to right: {faces}.").format(faces=", ".join(faces)),
        _("Your answer now: {face}. To change it, tap another face.").format(face=faces[chosen - 1])
        if 0 < chosen <= len(faces)
        else "",
    ]


def _themes(screen: Any, lang: str) -> list[str]:
    names = {t.id: t.name.get(lang) for t in screen.app.content().themes}
    chosen = list(screen.chosen)
    states = [
        _("{theme}, chosen").format(theme=name)
        if theme_id in chosen
        else _("{theme}, not chosen").format(theme=name)
        for theme_id, name in names.items()
    ]
    return [
        _("Which theme areas matter to you?"),
        instruction("themes"),
        _("To go on without choosing, tap {skip}.").format(skip=_("Skip")),
        _("The themes: {themes}.").format(themes="; ".join(states)),
        _("Chosen: {n}, at most {total}.").format(
            n=number_words(len(chosen), lang), total=number_words(MAX_THEMES, lang)
        ),
    ]


def _story(screen: Any, lang: str) -> list[str]:
    if getattr(screen, "panel", "write") == "confirm":
        return [
            _("Send the story?"),
            _("After sending you can no longer change it."),
            _("Your story: {story}").format(story=speakable(screen.text.strip(), lang)),
            _("To send it, tap {send}. To go on writing, tap {edit}.").format(
                send=_("Send"), edit=_("Edit")
            ),
        ]
    if getattr(screen, "panel", "write") == "about":
        return [
            _("About you (optional)"),
            _("This helps us see who takes part. You stay anonymous."),
            _("Choose your age group and district, or tap {send}.").format(send=_("Send")),
        ]
    length = len(screen.text)
    return [
        _("My Mikkeli"),
        _("Tell us about your Mikkeli: what works, what is missing."),
        instruction("story"),
        _("Please do not write names or other personal details of other people."),
        _("Your story has {count} characters. To hear it, tap {read}.").format(
            count=number_words(length, lang), read=_("Read my story")
        )
        if length
        else "",
        _("To go on without a story, tap {skip}.").format(skip=_("Skip")),
    ]


def _chosen_cards(screen: Any, lang: str) -> list[Any]:
    visit = screen.app.recorder.current
    if visit is None or not visit.theme_ids:
        return []
    themes = {t.id: t for t in screen.app.content().themes}
    return [
        theme_card(themes[theme_id], lang, date.today())
        for theme_id in visit.theme_ids
        if theme_id in themes
    ]


def _thanks(screen: Any, lang: str) -> list[str]:
    lines = [_("Thank you!"), _("Your answers are saved.")]
    cards = _chosen_cards(screen, lang)
    if not cards:
        lines.append(_("Your answers go to the people who develop Mikkeli."))
    for card in cards:
        if card.velho_name:
            lines.append(
                _("Your theme {theme} is moved forward by {name}, {role}.").format(
                    theme=card.name, name=card.velho_name, role=card.velho_role
                )
            )
        else:
            lines.append(
                _("Your theme {theme} is still looking for a velho.").format(theme=card.name)
            )
        if card.next_step:
            lines.append(
                _("Next step: {step} ({date})").format(
                    step=card.next_step, date=date_words(card.next_date, lang)
                )
            )
    visit = screen.app.recorder.current
    code = getattr(visit, "short_code", None) if visit is not None else None
    if code:
        lines.append(
            _("Your short code is: {code}. With it you can see what happens next.").format(
                code=spell(code, lang)
            )
        )
        address = screen.app.public_url().split("://", 1)[-1].rstrip("/") + "/k"
        lines.append(_("Type the code at the address {address}.").format(address=address))
    lines.append(instruction("thanks"))
    return lines


_SCRIPTS = {
    "attract": _attract,
    "rating": _rating,
    "themes": _themes,
    "story": _story,
    "thanks": _thanks,
}
