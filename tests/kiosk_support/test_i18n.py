"""kiosk.i18n and its tooling kiosk.i18n_catalogs: language switching, catalogues built with the
real Babel tooling, the kv extractor and the untranslated-msgid check, all on a throwaway project
tree."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from kiosk import i18n, i18n_catalogs

REPO = Path(__file__).resolve().parents[2]

SCREEN_PY = """
from kiosk.i18n import _, N_, ngettext, pgettext

FACES = (N_("Very unhappy"), N_("Very happy"))

def title():
    # TRANSLATORS: the attract screen's heading
    return _("Making development visible")

def stories(n):
    return ngettext("{n} story", "{n} stories", n).format(n=n)

def back():
    return pgettext("navigation", "Back")
"""

SCREEN_KV = """
#:import i18n kiosk.i18n
<AttractScreen>:
    BoxLayout:
        Button:
            text: app.tr._("Give feedback")
        Button:
            text: app.tr._(
                "Tell your "
                'story')
        Label:
            # text: app.tr._("Commented out")
            text: app.tr.ngettext("{n} theme chosen", "{n} themes chosen", root.count)
        Label:
            text: app.tr._(root.dynamic_text)
"""

ALL_MSGIDS = {
    "Very unhappy",
    "Very happy",
    "Making development visible",
    "{n} story",
    "Back (context navigation)",
    "Give feedback",
    "Tell your story",
    "{n} theme chosen",
}

FINNISH = {
    "Very unhappy": "Tosi harmissaan",
    "Very happy": "Tosi tyytyväinen",
    "Making development visible": "Kehittäminen näkyväksi",
    "{n} story": ("{n} tarina", "{n} tarinaa"),
    "Back": "Takaisin",
    "Give feedback": "Anna palautetta",
    "Tell your story": "Kerro tarinasi",
    "{n} theme chosen": ("{n} teema valittu", "{n} teemaa valittu"),
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project tree with a kiosk package of one screen, and kiosk.i18n (the catalogues) and
    kiosk.i18n_catalogs (the sources and babel.cfg) pointed at it."""
    package = tmp_path / "kiosk"
    (package / "screens" / "kv").mkdir(parents=True)
    (package / "screens" / "attract.py").write_text(SCREEN_PY, encoding="utf-8")
    (package / "screens" / "kv" / "attract.kv").write_text(SCREEN_KV, encoding="utf-8")
    (tmp_path / "babel.cfg").write_text((REPO / "babel.cfg").read_text())
    monkeypatch.setattr(i18n_catalogs, "PROJECT_DIR", tmp_path)
    monkeypatch.setattr(i18n_catalogs, "PACKAGE_DIR", package)
    monkeypatch.setattr(i18n, "LOCALE_DIR", package / "locale")
    monkeypatch.setattr(i18n_catalogs, "BABEL_CFG", tmp_path / "babel.cfg")
    i18n.reload()
    yield tmp_path
    i18n.set_language("fi")
    monkeypatch.undo()
    i18n.reload()


def translate(lang: str, strings: dict, fuzzy: tuple[str, ...] = ()) -> None:
    """Fill ``lang``'s .po file the way a translator would, through Babel's reader and writer."""
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in strings:
            message.string = strings[key]
            if key in fuzzy:
                message.flags.add("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())


def test_set_language_refuses_an_unknown_code_by_name():
    assert i18n.LANGUAGES == ("fi", "sv", "en") and i18n.DEFAULT_LANGUAGE == "fi"
    before = i18n.current_language()
    with pytest.raises(ValueError, match=r"'de'.*fi, sv, en"):
        i18n.set_language("de")
    assert i18n.current_language() == before


def test_extraction_finds_python_and_kv_messages(project):
    template = i18n_catalogs.extract_messages()
    labels = {i18n_catalogs._label(m) for m in template if m.id}
    assert labels == ALL_MSGIDS
    title = template.get("Making development visible")
    assert title.auto_comments == ["the attract screen's heading"]
    assert ("kiosk/screens/attract.py", 8) in title.locations
    assert template.get("Tell your story").locations == [("kiosk/screens/kv/attract.kv", 8)]
    assert template.get(("{n} theme chosen", "{n} themes chosen")).pluralizable


def test_update_creates_catalogues_with_headers_and_english_filled(project):
    paths = i18n_catalogs.update_catalogs()
    assert [p.relative_to(project).as_posix() for p in paths] == [
        "kiosk/locale/kiosk.pot",
        "kiosk/locale/fi/LC_MESSAGES/kiosk.po",
        "kiosk/locale/sv/LC_MESSAGES/kiosk.po",
        "kiosk/locale/en/LC_MESSAGES/kiosk.po",
    ]
    for lang in i18n.LANGUAGES:
        with paths[1 + i18n.LANGUAGES.index(lang)].open("rb") as fh:
            catalog = read_po(fh)
        assert str(catalog.locale) == lang
        assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    missing = i18n_catalogs.missing_translations()
    assert set(missing) == {"fi", "sv"}  # English msgids are their own translations
    assert set(missing["fi"]) == ALL_MSGIDS == set(missing["sv"])


def test_translations_are_used_and_plurals_follow_n(project):
    i18n_catalogs.update_catalogs()
    translate("fi", FINNISH)
    i18n_catalogs.compile_catalogs()
    i18n.set_language("fi")
    assert i18n._("Give feedback") == "Anna palautetta"
    assert i18n.ngettext("{n} story", "{n} stories", 1) == "{n} tarina"
    assert i18n.ngettext("{n} story", "{n} stories", 3) == "{n} tarinaa"
    assert i18n.pgettext("navigation", "Back") == "Takaisin"
    i18n.set_language("sv")  # sv is still untranslated: the English msgid shows
    assert i18n._("Give feedback") == "Give feedback"
    i18n.set_language("en")
    assert i18n.ngettext("{n} story", "{n} stories", 2) == "{n} stories"
    assert i18n.N_("Very happy") == "Very happy"
    assert (
        "sv" in i18n_catalogs.missing_translations()
        and "fi" not in i18n_catalogs.missing_translations()
    )


def test_check_names_every_untranslated_or_fuzzy_msgid(project, capsys):
    i18n_catalogs.update_catalogs()
    translate("fi", FINNISH, fuzzy=("Give feedback",))
    translate("sv", {k: f"sv:{k}" for k in FINNISH if not isinstance(FINNISH[k], tuple)})
    assert i18n_catalogs.main(["check"]) == 1
    err = capsys.readouterr().err
    assert "'Give feedback'" in err.split("sv:")[0]  # the fuzzy Finnish one
    missing = i18n_catalogs.missing_translations()
    assert missing == {"fi": ["Give feedback"], "sv": ["{n} story", "{n} theme chosen"]}
    translate("fi", {"Give feedback": "Anna palautetta"})  # still fuzzy until unflagged
    assert "fi" in i18n_catalogs.missing_translations()


def test_a_msgid_added_to_the_code_but_not_the_catalogue_is_missing(project):
    i18n_catalogs.update_catalogs()
    for lang in ("fi", "sv"):
        translate(lang, FINNISH)
    assert i18n_catalogs.missing_translations() == {}
    assert i18n_catalogs.main(["check"]) == 0
    kv = project / "kiosk" / "screens" / "kv" / "attract.kv"
    kv.write_text(kv.read_text() + '        Label:\n            text: app.tr._("Thank you!")\n')
    assert i18n_catalogs.missing_translations() == {lang: ["Thank you!"] for lang in i18n.LANGUAGES}


def test_a_po_edited_after_compiling_wins_over_the_stale_mo(project):
    i18n_catalogs.update_catalogs()
    translate("fi", FINNISH)
    i18n_catalogs.compile_catalogs()
    translate("fi", {"Give feedback": "Anna palautetta nyt"})
    po = i18n.LOCALE_DIR / "fi" / "LC_MESSAGES" / "kiosk.po"
    later = po.with_suffix(".mo").stat().st_mtime + 5
    os.utime(po, (later, later))
    i18n.reload()
    i18n.set_language("fi")
    assert i18n._("Give feedback") == "Anna palautetta nyt"


def test_without_catalogues_the_english_msgid_shows(project):
    i18n.set_language("sv")
    assert i18n._("Give feedback") == "Give feedback"
    assert set(i18n_catalogs.missing_translations()) == set(i18n.LANGUAGES)


def test_compile_refuses_a_catalogue_with_broken_placeholders(project, capsys):
    i18n_catalogs.update_catalogs()
    catalog_path = i18n.LOCALE_DIR / "fi" / "LC_MESSAGES" / "kiosk.po"
    text = catalog_path.read_text(encoding="utf-8")
    catalog_path.write_text(
        text + '\n#, python-format\nmsgid "%(count)d waiting"\nmsgstr "%(määrä)d odottaa"\n',
        encoding="utf-8",
    )
    assert i18n_catalogs.main(["compile"]) == 1
    assert "%(count)d waiting" in capsys.readouterr().err


def test_listeners_hear_changes(project):
    heard = []
    i18n.add_language_listener(heard.append)
    try:
        i18n.set_language("sv")
        i18n.set_language("sv")  # no change, no call
        i18n.set_language("en")
    finally:
        i18n.remove_language_listener(heard.append)
    i18n.set_language("fi")
    assert heard == ["sv", "en"]


def test_dates_are_written_the_local_way():
    assert i18n.format_date("2027-04-14", "fi") == "14.4.2027"
    assert i18n.format_date("2027-04-14", "sv") == "14.4.2027"  # Finland-Swedish
    assert i18n.format_date("2027-04-14", "en") == "Apr 14, 2027"
    with pytest.raises(ValueError, match="'no'"):
        i18n.format_date("2027-04-14", "no")


@pytest.mark.parametrize(
    "kv, expected",
    [
        ('text: _("Plain")', [(1, "_", "Plain")]),
        ("text: app.tr._('Single quoted')", [(1, "_", "Single quoted")]),
        ('text: _("Joined " "text")', [(1, "_", "Joined text")]),
        ('a: 1\ntext: _(\n  "Split"\n)', [(2, "_", "Split")]),
        ('text: _("Ä ö å")', [(1, "_", "Ä ö å")]),
        ('text: ngettext("one", "many", n)', [(1, "ngettext", ("one", "many", None))]),
        ('text: pgettext("ctx", "Id")', [(1, "pgettext", ("ctx", "Id"))]),
        ('text: _("a" if x else "b")', []),
        ("text: _(root.name)", []),
        ('text: f_("no")', []),
        ('text: my._x("no")', []),
        ('    # text: _("commented")', []),
        ('#:set greeting _("Directive")', [(1, "_", "Directive")]),
        ('text: _("unterminated', []),
        ('text: _(f"{x}")', []),
    ],
)
def test_kv_extractor(kv, expected):
    keywords = {"_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found = [
        (line, name, msg)
        for line, name, msg, _ in i18n_catalogs.extract_kv(
            io.BytesIO(kv.encode()), keywords, (), {}
        )
    ]
    assert found == expected


def test_the_cli_check_on_the_real_tree_agrees_with_the_function():
    missing = i18n_catalogs.missing_translations()
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.i18n", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == (1 if missing or i18n_catalogs.placeholder_problems() else 0), (
        result.stderr
    )
    for lang, msgids in missing.items():
        assert f"{lang}: {len(msgids)} untranslated or fuzzy" in result.stderr
        for msgid in msgids:
            assert repr(msgid) in result.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk.i18n", "translate"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "invalid choice: 'translate'" in bad.stderr


def test_the_source_text_of_this_file_is_not_a_kiosk_screen():
    # Guard for the fixture: the real kiosk package is never touched by these tests.
    assert textwrap.dedent(SCREEN_PY).strip().startswith("from kiosk.i18n")
    assert i18n.LOCALE_DIR == REPO / "kiosk" / "locale"
    assert i18n_catalogs.PACKAGE_DIR == REPO / "kiosk"
    assert i18n_catalogs.BABEL_CFG == REPO / "babel.cfg"


def test_importing_the_runtime_leaves_the_catalogue_tooling_and_babel_out():
    # The app imports kiosk.i18n at start; extraction (Babel's frontend, the tokenizer) is tooling.
    code = (
        "import sys, kiosk.i18n;"
        "print(sorted(m for m in sys.modules"
        " if m == 'kiosk.i18n_catalogs' or m == 'babel' or m.startswith('babel.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_placeholders_unlike_the_msgids_are_refused_before_they_crash_a_screen(project, capsys):
    i18n_catalogs.update_catalogs()
    good = dict(FINNISH, **{"{n} story": ("yksi tarina", "{n} tarinaa")})  # singular may drop {n}
    translate("fi", good)
    translate("sv", {"{n} theme chosen": ("{antal} tema valt", "{n} teman valda")})
    assert i18n_catalogs.placeholder_problems() == {
        "sv": [
            "'{n} theme chosen': translation '{antal} tema valt' has placeholders ['antal'], "
            "the msgid ['n']"
        ]
    }
    assert i18n_catalogs.main(["compile"]) == 1
    assert "{antal} tema valt" in capsys.readouterr().err
    assert not (i18n.LOCALE_DIR / "fi" / "LC_MESSAGES" / "kiosk.mo").exists()  # all or nothing
    assert i18n_catalogs.main(["check"]) == 1
    assert "sv: 1 broken translations" in capsys.readouterr().err
    translate("sv", {"{n} theme chosen": ("{n} tema valt", "{n} teman valda")})
    assert i18n_catalogs.placeholder_problems() == {}
    assert i18n_catalogs.main(["compile"]) == 0
    i18n.set_language("fi")
    assert i18n.ngettext("{n} story", "{n} stories", 1) == "yksi tarina"


def test_a_dropped_placeholder_or_stray_brace_is_reported(project):
    i18n_catalogs.update_catalogs()
    path = i18n.LOCALE_DIR / "fi" / "LC_MESSAGES" / "kiosk.po"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\nmsgid "Starts over in {seconds} s"\nmsgstr "Alkaa alusta pian"\n'
        + '\nmsgid "{count} waiting"\nmsgstr "{count} odottaa}"\n',
        encoding="utf-8",
    )
    problems = i18n_catalogs.placeholder_problems()["fi"]
    assert any("Alkaa alusta pian" in p and "['seconds']" in p for p in problems)
    assert any(p.startswith("'{count} waiting': bad braces") for p in problems)


def test_a_changed_msgid_is_fuzzy_in_finnish_and_simply_new_in_english(project):
    i18n_catalogs.update_catalogs()
    translate("fi", FINNISH)
    translate("sv", FINNISH)
    translate("en", {"Give feedback": "Give us feedback"})  # an English wording kept on purpose
    screen = project / "kiosk" / "screens" / "attract.py"
    screen.write_text(
        screen.read_text().replace("Making development visible", "Making the development visible")
    )
    i18n_catalogs.update_catalogs()
    assert i18n_catalogs.missing_translations() == {
        "fi": ["Making the development visible"],
        "sv": ["Making the development visible"],
    }
    i18n.set_language("en")
    assert i18n._("Making the development visible") == "Making the development visible"
    assert i18n._("Give feedback") == "Give us feedback"
    with (i18n.LOCALE_DIR / "fi" / "LC_MESSAGES" / "kiosk.po").open("rb") as fh:
        finnish = read_po(fh)
    guess = finnish.get("Making the development visible")
    assert guess.fuzzy and guess.string == "Kehittäminen näkyväksi"  # a hint for the translator


def test_an_update_without_changes_rewrites_nothing(project):
    paths = i18n_catalogs.update_catalogs()
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    for p in paths:
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))  # so a rewrite would show
    i18n_catalogs.update_catalogs()
    assert {p: p.read_bytes() for p in paths} == {p: b for p, (b, _) in before.items()}
    assert all(p.stat().st_mtime_ns == 1_000_000_000 for p in paths)
