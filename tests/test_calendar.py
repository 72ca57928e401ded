"""The business-day calendar: the `holidays` package's holidays with their observed dates, US by default."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.time.calendar import (
    add_business_days,
    business_days_between,
    business_days_duration,
    federal_holidays,
    holiday_calendar,
    is_business_day,
    use_holidays,
)

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates


def test_federal_holidays_2026_are_the_eleven_observed_dates():
    assert federal_holidays(2026) == {
        date(2026, 1, 1): "New Year's Day",
        date(2026, 1, 19): "Martin Luther King Jr. Day",
        date(2026, 2, 16): "Washington's Birthday",
        date(2026, 5, 25): "Memorial Day",
        date(2026, 6, 19): "Juneteenth National Independence Day",
        date(2026, 7, 3): "Independence Day (observed)",
        date(2026, 9, 7): "Labor Day",
        date(2026, 10, 12): "Columbus Day",
        date(2026, 11, 11): "Veterans Day",
        date(2026, 11, 26): "Thanksgiving Day",
        date(2026, 12, 25): "Christmas Day",
    }


def test_thanksgiving_2026_is_november_26():
    assert federal_holidays(2026)[date(2026, 11, 26)] == "Thanksgiving Day"
    assert not is_business_day(date(2026, 11, 26))


def test_saturday_holiday_is_observed_on_the_friday_before():
    assert date(2026, 7, 4).weekday() == 5
    assert not is_business_day(date(2026, 7, 3))
    assert date(2026, 7, 4) not in federal_holidays(2026)


def test_sunday_holiday_is_observed_on_the_monday_after():
    assert date(2027, 7, 4).weekday() == 6
    assert federal_holidays(2027)[date(2027, 7, 5)] == "Independence Day (observed)"
    assert not is_business_day(date(2027, 7, 5))


def test_new_years_day_on_a_saturday_is_observed_on_december_31_of_the_year_before():
    assert federal_holidays(2021)[date(2021, 12, 31)] == "New Year's Day (observed)"
    assert date(2021, 12, 31) not in federal_holidays(2022)
    assert date(2022, 1, 1) not in federal_holidays(2022)
    assert not is_business_day(date(2021, 12, 31))


def test_juneteenth_is_a_holiday_from_2021_only():
    assert is_business_day(date(2020, 6, 19))
    assert not is_business_day(date(2022, 6, 20))  # Sunday 19th, observed Monday


def test_weekends_are_not_business_days_and_ordinary_weekdays_are():
    assert not is_business_day(date(2026, 12, 26))
    assert not is_business_day(date(2026, 12, 27))
    assert is_business_day(date(2026, 12, 28))


def test_is_business_day_accepts_datetimes_and_iso_strings():
    assert not is_business_day(datetime(2026, 12, 25, 9, 30))
    assert not is_business_day("2026-12-25")
    assert is_business_day("2026-12-28T09:30:00-05:00")


def test_two_business_days_after_december_24_2026_is_tuesday_december_29():
    result = add_business_days(date(2026, 12, 24), 2)
    assert result == date(2026, 12, 29)
    assert result.weekday() == 1


def test_add_business_days_keeps_the_time_of_day_and_zone_of_a_datetime():
    start = datetime(2026, 12, 24, 15, 45, tzinfo=timezone(timedelta(hours=-5)))
    assert add_business_days(start, 2) == datetime(2026, 12, 29, 15, 45, tzinfo=timezone(timedelta(hours=-5)))


def test_add_business_days_parses_iso_strings_from_task_data():
    assert add_business_days("2026-12-24", 2) == date(2026, 12, 29)
    assert add_business_days("2026-12-24T08:00:00", 2) == datetime(2026, 12, 29, 8, 0)


def test_add_zero_business_days_returns_the_start_unchanged_even_on_a_holiday():
    assert add_business_days(date(2026, 12, 25), 0) == date(2026, 12, 25)


def test_add_negative_business_days_goes_back_over_weekends_and_holidays():
    assert add_business_days(date(2026, 12, 29), -2) == date(2026, 12, 24)
    assert add_business_days(date(2026, 7, 6), -1) == date(2026, 7, 2)


def test_one_business_day_after_a_saturday_is_the_monday():
    assert add_business_days(date(2026, 12, 26), 1) == date(2026, 12, 28)


def test_business_days_between_counts_days_after_the_first_up_to_the_second():
    assert business_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 2
    assert business_days_between(date(2026, 12, 29), date(2026, 12, 24)) == -2
    assert business_days_between(date(2026, 12, 24), date(2026, 12, 24)) == 0


def test_business_days_between_counts_a_whole_year():
    # 2026: 261 weekdays, all 11 observed holidays fall on weekdays
    assert business_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 261 - 11


def test_business_days_between_agrees_with_add_business_days():
    start = date(2026, 11, 2)
    for n in range(0, 60):
        end = add_business_days(start, n)
        assert business_days_between(start, end) == n


def test_business_days_duration_gives_an_iso_duration_spiff_timers_accept():
    duration = business_days_duration("2026-12-24", 2)
    assert duration == "P5D"
    assert TimerEventDefinition.parse_iso_duration(duration) == {"days": 5}


def test_business_days_duration_from_a_datetime_counts_whole_days():
    assert business_days_duration(datetime(2026, 11, 25, 16, 0), 1) == "P2D"  # over Thanksgiving
    assert business_days_duration("2026-12-28", 0) == "P0D"


def test_business_days_duration_refuses_a_negative_count():
    with pytest.raises(ValueError, match="n >= 0"):
        business_days_duration("2026-12-24", -1)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="not an ISO 8601 date"):
        is_business_day("next tuesday")
    with pytest.raises(TypeError, match="expected a date"):
        is_business_day(20261224)
    with pytest.raises(TypeError):
        add_business_days(date(2026, 12, 24), 1.5)


# -- the installation's holiday calendar ------------------------------------------------------------------------

@pytest.fixture
def choose_holidays():
    """`use_holidays`, with the default US calendar restored afterwards whatever the test did."""
    try:
        yield use_holidays
    finally:
        use_holidays("US")


def test_the_default_calendar_is_the_us_federal_one():
    assert holiday_calendar() == "US"
    assert len(federal_holidays(2026)) == 11


def test_a_state_calendar_has_that_states_holidays(choose_holidays):
    cesar_chavez_day = date(2026, 3, 31)  # a Tuesday; a California state holiday, not a federal one
    assert is_business_day(cesar_chavez_day)
    choose_holidays("US-CA")
    assert holiday_calendar() == "US-CA"
    assert federal_holidays(2026)[cesar_chavez_day] == "Cesar Chavez Day"
    assert not is_business_day(cesar_chavez_day)
    assert add_business_days(date(2026, 3, 30), 1) == date(2026, 4, 1)
    assert business_days_between(date(2026, 3, 30), date(2026, 4, 1)) == 1


def test_a_state_calendar_counts_only_its_holidays_on_weekdays(choose_holidays):
    choose_holidays("US-CA")
    holidays_2026 = federal_holidays(2026)
    on_weekdays = [day for day in holidays_2026 if day.weekday() < 5]
    assert len(on_weekdays) < len(holidays_2026)  # e.g. Susan B. Anthony Day, Sunday February 15: not moved
    assert business_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 261 - len(on_weekdays)


def test_use_holidays_takes_any_case_and_keeps_the_packages_spelling(choose_holidays):
    choose_holidays(" us-ny ")
    assert holiday_calendar() == "US-NY"


@pytest.mark.parametrize("code", ["XX", "US-XX", "US-", ""])
def test_an_unknown_holiday_calendar_is_refused_naming_it(choose_holidays, code):
    with pytest.raises(ValueError, match=rf"unknown holiday calendar '{code}': use a country code, optionally"):
        choose_holidays(code)
    assert holiday_calendar() == "US"


def test_going_back_to_us_restores_the_federal_calendar(choose_holidays):
    federal = federal_holidays(2026)
    choose_holidays("US-CA")
    assert federal_holidays(2026) != federal
    assert is_business_day(date(2026, 10, 12))  # Columbus Day: federal, not a California holiday
    choose_holidays("US")
    assert holiday_calendar() == "US"
    assert federal_holidays(2026) == federal
    assert is_business_day(date(2026, 3, 31))
    assert not is_business_day(date(2026, 10, 12))
