"""Accessibility floors, measured on the laid-out widget tree of every screen and state.

At text size x1, x1.5 and x2, in both palettes and all three languages: no label's text is
larger than its box or sticks out of its parent or the window; every touch target is at least
72 dp square with 12 dp between targets, the faces at least 160 dp; body text is at least 24 sp
and headings 36 sp at x1; every text colour has 7:1 contrast with the colour it is drawn on,
both read from the widgets themselves.
"""

from __future__ import annotations

import itertools

import pytest
from kivy.metrics import dp, sp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.palette import contrast_ratio
from kiosk.widgets import FaceButton, FaceDrawing, LongPressArea

SCALES = (1.0, 1.5, 2.0)
CONTRASTS = ("normal", "high-contrast")
LANGS = ("fi", "sv", "en")
STATES = (
    "attract",
    "rating",
    "themes",
    "story",
    "story-about",
    "thanks",
    "staff-pin",
    "staff-panel",
    "more-time",
)
HALF_RATE = ("BarChip", "BarButton", "KeyButton", "StepBarButton", "StepCounter")
SAMPLE = "Tori eläväksi myös talvella ja kesällä, kiitos kaikille jotka tekevät tätä työtä"


def show(kiosk, state, lang="fi", scale=1.0, contrast="normal"):
    """Show ``state`` as a visitor who chose ``lang``, ``scale`` and ``contrast`` would see it."""
    app = kiosk.app
    app.idle.touched()  # as a visitor would: the idle reset must not fire mid-check
    app.flow.finish()  # resets language, size and palette, so they are chosen after it
    app.tr.lang = lang
    app.look.scale = scale
    app.look.contrast = contrast
    kiosk.pump(1, draw=False)
    screen = state.split("-")[0]
    if state == "more-time":
        screen = "story"
    if screen == "thanks":
        app.recorder.visit().theme_ids = [app.content().themes[1].id]
    kiosk.app.flow.show(screen)
    kiosk.pump(2, draw=False)
    if screen == "story":
        kiosk.screen("story").text = SAMPLE
    if state == "story-about":
        kiosk.screen("story").show_panel("about")
    if state == "staff-panel":
        kiosk.screen("staff").unlocked = True
    if state == "staff-pin":
        kiosk.screen("staff").message = app.tr._("Too many wrong tries. Locked for {minutes} min.")
    if state == "more-time":
        app.idle.idle_now()
    kiosk.pump(3, draw=False)
    return app.idle.prompt if state == "more-time" else kiosk.root


def window_rect(widget):
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def shown(widget):
    node = widget
    while node is not None and node is not node.parent:
        if getattr(node, "opacity", 1) == 0:
            return False
        node = node.parent
    return True


def background(widget, window):
    """The colour under ``widget``: its own or its nearest painted ancestor's ``bg_color``,
    else the window's clear colour (the screens paint no background of their own)."""
    node = widget
    while node is not None and node is not node.parent and node is not window:
        colour = getattr(node, "bg_color", None)
        if colour is not None and len(colour) == 4 and colour[3] == 1:
            return tuple(colour)
        node = node.parent
    return tuple(window.clearcolor)


def check_tree(kiosk, root, scale):
    problems = []
    W, H = kiosk.window.size
    targets = []
    for w in root.walk(restrict=False):
        if not shown(w):
            continue
        name = f"{type(w).__name__}({getattr(w, 'text', '')[:40]!r})"
        if isinstance(w, Label) and w.text:
            tw, th = w.texture_size
            if tw > w.width + 1 or th > w.height + 1:
                problems.append(
                    f"{name}: text {tw:.0f}x{th:.0f} in box {w.width:.0f}x{w.height:.0f}"
                )
            x0, y0, x1, y1 = window_rect(w)
            if x0 < -1 or y0 < -1 or x1 > W + 1 or y1 > H + 1:
                problems.append(
                    f"{name}: outside the window at {x0:.0f},{y0:.0f}-{x1:.0f},{y1:.0f}"
                )
            parent = w.parent
            if (
                parent is not None
                and parent is not kiosk.window
                and not isinstance(parent, ButtonBehavior)
            ):
                px0, py0, px1, py1 = window_rect(parent)
                if x0 < px0 - 1 or y0 < py0 - 1 or x1 > px1 + 1 or y1 > py1 + 1:
                    problems.append(f"{name}: sticks out of its {type(parent).__name__}")
            floor = sp(36) if type(w).__name__ in ("HeadingLabel", "TitleLabel") else sp(24)
            # The always-visible bar and the single-letter keys grow half as fast (they must
            # stay on one row); all other text grows with the chosen size.
            grows = 1 + (scale - 1) / 2 if type(w).__name__ in HALF_RATE else scale
            if w.font_size < floor * grows - 0.01:
                problems.append(f"{name}: font {w.font_size:.1f} below {floor * grows:.1f}")
            fg = tuple(w.disabled_color if w.disabled else w.color)
            ratio = contrast_ratio(fg, background(w, kiosk.window))
            if ratio < 7:
                problems.append(f"{name}: contrast {ratio:.2f}:1")
        if isinstance(w, ButtonBehavior) and not isinstance(w, LongPressArea):
            targets.append((name, window_rect(w)))
            if w.width < dp(72) - 0.5 or w.height < dp(72) - 0.5:
                problems.append(f"{name}: target {w.width:.0f}x{w.height:.0f} below 72 dp")
            if isinstance(w, FaceButton):
                face = next(c for c in w.children if isinstance(c, FaceDrawing))
                if min(face.size) < dp(160) - 0.5:
                    problems.append(f"{name}: face {face.size} below 160 dp")
    for (a, ra), (b, rb) in itertools.combinations(targets, 2):
        gap_x = max(rb[0] - ra[2], ra[0] - rb[2])
        gap_y = max(rb[1] - ra[3], ra[1] - rb[3])
        if max(gap_x, gap_y) < dp(12) - 0.5:
            problems.append(f"{a} and {b} are {max(gap_x, gap_y):.1f} apart (< 12 dp)")
    return problems


@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_meets_the_floors_at_every_size_and_palette(fresh, lang):
    kiosk = fresh
    failures = []
    try:
        for scale, contrast, state in itertools.product(SCALES, CONTRASTS, STATES):
            root = show(kiosk, state, lang, scale, contrast)
            assert (kiosk.app.tr.lang, kiosk.app.look.scale) == (lang, scale)
            for problem in check_tree(kiosk, root, scale):
                failures.append(f"{state} {lang} x{scale:g} {contrast}: {problem}")
    finally:
        kiosk.app.idle.touched()
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} problems)"


def test_the_window_takes_the_palette_background(fresh):
    kiosk = fresh
    for name in CONTRASTS:
        kiosk.app.look.contrast = name
        assert tuple(kiosk.window.clearcolor) == kiosk.app.look.pal.background
    kiosk.app.look.contrast = "normal"


def test_the_check_catches_an_overflowing_label(fresh):
    kiosk = fresh
    show(kiosk, "rating")
    label = kiosk.widget("rating", "question")
    label.height = 5  # what a broken layout would do
    try:
        assert any("question" not in p and "text" in p for p in check_tree(kiosk, kiosk.root, 1))
    finally:
        kiosk.app.flow.finish()
        kiosk.pump(2, draw=False)
