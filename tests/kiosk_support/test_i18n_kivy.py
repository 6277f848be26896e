"""kiosk.i18n.I18n with real Kivy: a kv rule ``app.tr._("...")`` is evaluated again when the
language changes, through the property or through ``set_language``. Needs no window."""

from __future__ import annotations

import gc
import io
import sys

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from kiosk import i18n


@pytest.fixture
def catalogues(tmp_path, monkeypatch):
    """Swedish and Finnish catalogues (.po only: the loader reads them) in a throwaway folder."""
    for lang, text in (("fi", "Anna palautetta"), ("sv", "Ge respons")):
        catalog = Catalog(locale=lang, domain="kiosk")
        catalog.add("Give feedback", text)
        catalog.add(("{n} story", "{n} stories"), (f"{lang} 1", f"{lang} n"))
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        buffer = io.BytesIO()
        write_po(buffer, catalog)
        (folder / "kiosk.po").write_bytes(buffer.getvalue())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.reload()
    i18n.set_language("fi")
    yield tmp_path
    i18n.set_language("fi")
    monkeypatch.undo()
    i18n.reload()


def test_importing_the_core_modules_does_not_import_kivy():
    import subprocess

    code = (
        "import sys, kiosk.i18n, kiosk.palette, kiosk.qr, kiosk.speech;"
        "print(sorted(m for m in sys.modules if m == 'kivy' or m.startswith('kivy.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_kv_rules_follow_the_language(catalogues):
    from kivy.app import App
    from kivy.lang import Builder
    from kivy.properties import NumericProperty, ObjectProperty
    from kivy.uix.label import Label

    from kiosk.i18n import I18n

    class TrApp(App):
        tr = ObjectProperty(None)

    class FeedbackLabel(Label):
        count = NumericProperty(1)

    previous = App._running_app
    app = TrApp()  # an App instance is what kv's ``app`` names; it need not run
    try:
        app.tr = I18n()
        Builder.load_string(
            "<FeedbackLabel>:\n"
            '    text: app.tr._("Give feedback")\n'
            '    hint: app.tr.ngettext("{n} story", "{n} stories", self.count)\n',
            filename="i18n-test.kv",
        )
        label = FeedbackLabel()
        assert label.text == "Anna palautetta"
        assert label.hint == "fi 1"

        app.tr.lang = "sv"
        assert label.text == "Ge respons"
        assert i18n.current_language() == "sv"

        i18n.set_language("en")  # from outside Kivy: the property follows, so does the rule
        assert app.tr.lang == "en"
        assert label.text == "Give feedback"
        label.count = 2
        assert label.hint == "{n} stories"

        with pytest.raises(ValueError, match="'de'"):
            app.tr.lang = "de"
        assert app.tr.lang == "en" and label.text == "Give feedback"
    finally:
        Builder.unload_file("i18n-test.kv")
        # kv's ``app`` proxy keeps the first App it saw until that App stops; without this the
        # kiosk's UI tests, run after this one, would evaluate their rules against TrApp. The
        # label goes first, so that no rule of it asks the proxy for an app any more.
        label = None
        gc.collect()
        app.dispatch("on_stop")
        App._running_app = previous


def test_a_dropped_i18n_is_not_kept_alive_by_its_listener(catalogues):
    import gc
    import weakref

    from kiosk.i18n import I18n

    tr = I18n()
    ref = weakref.ref(tr)
    del tr
    gc.collect()
    assert ref() is None
    i18n.set_language("sv")  # the dead listener is skipped and dropped
    assert i18n.current_language() == "sv"
