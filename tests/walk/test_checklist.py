"""Store-walk checklists: the journey's steps and timings, printable and phone-friendly."""

from carlzon.walk import build_checklist, render_checklist

C = build_checklist("retail_clothing")


def test_the_seventeen_steps_of_the_clothing_store():
    assert len(C.steps) == 17


def test_steps_follow_the_walk():
    assert [s.touchpoint for s in C.steps][:3] == ["signage", "entrance", "greeting"]


def test_timings_where_the_journey_has_them():
    assert {s.touchpoint: s.timing for s in C.steps if s.timing} == {
        "greeting": "greeting_seconds <= 30",
        "fitting_rooms": "fitting_room_wait_minutes <= 5",
        "alterations": "alteration_days <= 5",
        "checkout_queue": "queue_minutes <= 5",
    }


def test_timing_in_words():
    assert C.steps[2].timing_words == "Time it: greeting, in seconds (expected within 30)"


def test_page_lists_every_step():
    assert render_checklist(C).count('<li class="step"') == 17


def test_page_is_self_contained():
    html = render_checklist(C)
    assert "<script" not in html
    assert "http" not in html.replace("http-equiv", "")


def test_page_prints():
    assert "@media print" in render_checklist(C)


def test_form_version_posts_the_walk():
    assert '<form method="post" action="/walks">' in render_checklist(C, action="/walks", form_token="t")


def test_csv_template_has_a_row_per_step():
    assert C.template()["step"].tolist() == [s.touchpoint for s in C.steps]


def test_other_journeys_walk_what_is_met_in_person():
    assert "search" not in [s.touchpoint for s in build_checklist("airline").steps]
