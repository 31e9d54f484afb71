import numpy as np
import pandas as pd
import pytest

from carlzon.detect.expectations import expectation_intensity, judge
from carlzon.errors import DetectError
from carlzon.journey import load_journey

AIRLINE = load_journey("airline")


def test_missed_expectation_is_misery_with_evidence():
    ex = judge(['{"departure_delay_minutes": 45}'], AIRLINE)
    assert ex.missed[0]
    assert ex.badly_missed[0]
    assert ex.touchpoint[0] == "delays_cancellations"
    assert ex.score[0] < 0
    e = ex.evidence(0)[0]
    assert e.rule == "expectation"
    assert e.value == 45.0
    assert e.expectation == "departure_delay_minutes <= 15"
    assert "45 min against <= 15 expected" in e.text


def test_intensity_grows_with_the_gap():
    delays = [16, 20, 30, 45, 90, 300]
    ex = judge([{"departure_delay_minutes": d} for d in delays], AIRLINE)
    assert np.all(np.diff(ex.intensity) > 0)
    assert ex.intensity[-1] < 1.0
    assert not ex.badly_missed[1]
    assert ex.badly_missed[3]
    assert expectation_intensity(np.array([0.0]), 15)[0] == 0.0


def test_well_inside_is_met_not_magic():
    ex = judge([{"departure_delay_minutes": 0}], AIRLINE)
    assert not ex.missed[0]
    assert ex.score[0] == 0.0  # neutral, not positive
    assert "within the expected <= 15" in ex.evidence(0)[0].text
    assert ex.touchpoint[0] == "delays_cancellations"  # still tells where it happened


def test_shared_measure_needs_a_touchpoint():
    unclear = judge([{"wait_minutes": 40}], AIRLINE)
    assert not unclear.missed[0]
    assert "unclear" in unclear.evidence(0)[0].text
    at_security = judge([{"wait_minutes": 25}], AIRLINE, assigned=["security"])  # <= 20 there
    at_checkin = judge([{"wait_minutes": 25}], AIRLINE, assigned=["check_in"])  # <= 15 there
    assert at_security.missed[0]
    assert at_checkin.missed[0]
    assert at_checkin.intensity[0] > at_security.intensity[0]


def test_no_measures_and_bad_json():
    ex = judge([None, "", {}], AIRLINE)
    assert not ex.missed.any()
    assert np.isnan(ex.score).all()
    with pytest.raises(DetectError, match="row 1.*JSON"):
        judge(["{}", '{"wait_minutes": 4'], AIRLINE)


def test_measure_names_are_normalised():
    ex = judge(pd.Series([{"Departure Delay Minutes": 45}]), AIRLINE)
    assert ex.missed[0]
