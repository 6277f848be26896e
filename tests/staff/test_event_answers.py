"""An event's four answer labels: set in the staff event form with the question, stored, shown
back in the edit form, and delivered to the kiosks in kiosk-config."""

from __future__ import annotations

import pytest

from tests.staff.test_pages import kiosk_config

ANSWERS_FI = ("Ei lainkaan", "Vähän", "Aika paljon", "Todella paljon")
ANSWERS_SV = ("Inte alls", "Lite", "Ganska mycket", "Väldigt mycket")


def event_form(token: str, kiosk_id: str, **answers: str) -> dict:
    return {
        "csrf": token,
        "id": "kayttajatori-2027-01",
        "event_date": "2027-01-20",
        "name_fi": "Tammikuun tori",
        "question_fi": "Kuinka paljon tiedät kaupungin hankkeista?",
        "kiosks": [kiosk_id],
        **answers,
    }


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_answers_set_with_the_question_reach_the_kiosk(client, login, kiosk, demo_themes):
    token = login()
    answers = {f"answer_{n}_fi": text for n, text in enumerate(ANSWERS_FI, 1)}
    answers |= {f"answer_{n}_sv": text for n, text in enumerate(ANSWERS_SV, 1)}
    saved = client.post(
        "/staff/events", follow_redirects=False, data=event_form(token, kiosk.kiosk_id, **answers)
    )
    assert saved.status_code == 303, saved.text
    client.post("/staff/events/kayttajatori-2027-01/activate", data={"csrf": token})
    event = kiosk_config(client, kiosk)["event"]
    assert [a["fi"] for a in event["answers"]] == list(ANSWERS_FI)
    assert [a["sv"] for a in event["answers"]] == list(ANSWERS_SV)
    assert [a["en"] for a in event["answers"]] == [""] * 4
    edit = client.get("/staff/events?edit=kayttajatori-2027-01").text
    assert 'name="answer_3_fi"' in edit and 'value="Aika paljon"' in edit


def test_no_answers_means_the_defaults_and_half_a_set_is_refused(client, login, kiosk):
    token = login()
    saved = client.post(
        "/staff/events", follow_redirects=False, data=event_form(token, kiosk.kiosk_id)
    )
    assert saved.status_code == 303
    client.post("/staff/events/kayttajatori-2027-01/activate", data={"csrf": token})
    assert kiosk_config(client, kiosk)["event"]["answers"] == []
    half = client.post(
        "/staff/events",
        data=event_form(token, kiosk.kiosk_id, existing="1", answer_1_fi="Ei", answer_2_fi="Vähän"),
    )
    assert half.status_code == 400
    assert "answer_3_fi" in half.text


def test_the_follow_up_page_names_the_events_own_answer(client, login, kiosk, post_batch):
    from tests.staff.conftest import make_visit

    token = login()
    answers = {f"answer_{n}_fi": text for n, text in enumerate(ANSWERS_FI, 1)}
    client.post("/staff/events", data=event_form(token, kiosk.kiosk_id, **answers))
    visit = make_visit(kiosk.kiosk_id, rating=3, event_id="kayttajatori-2027-01")
    post_batch(kiosk, visit)
    page = client.get(f"/f/{visit[0]['follow_up_token']}?lang=fi").text
    assert "<strong>Aika paljon</strong>" in page
    # Swedish not set: the Finnish answer, not an empty one.
    assert (
        "<strong>Aika paljon</strong>"
        in client.get(f"/f/{visit[0]['follow_up_token']}?lang=sv").text
    )
