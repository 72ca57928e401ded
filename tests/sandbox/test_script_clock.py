"""Scripts read the engine's clock: simulated time reaches `date.today()` and `datetime.now()`."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from engine.time.clock import FrozenClock, use_clock


def test_date_today_in_a_script_is_the_engine_clocks_date(env, run_script):
    with use_clock(FrozenClock(datetime(2030, 5, 17, 10, 0, tzinfo=timezone.utc))):
        assert run_script(env, "from datetime import date\nx = date.today().isoformat()")["x"] == "2030-05-17"


def test_datetime_now_with_a_zone_is_the_engine_clock(env, run_script):
    with use_clock(FrozenClock(datetime(2030, 5, 17, 10, 0, tzinfo=timezone.utc))):
        script = "from datetime import datetime, timezone\nx = datetime.now(timezone.utc).isoformat()"
        assert run_script(env, script)["x"] == "2030-05-17T10:00:00+00:00"


def test_the_date_global_also_follows_the_clock(env, run_script):
    with use_clock(FrozenClock(datetime(2031, 1, 2, 9, 0, tzinfo=timezone.utc))):
        assert run_script(env, "x = str(date.today())")["x"] == "2031-01-02"


def test_dates_built_in_scripts_are_plain_dates(env, run_script):
    data = run_script(env, "from datetime import date, datetime\nd = date(2026, 1, 2)\nt = datetime(2026, 1, 2, 3)")
    assert (type(data["d"]), type(data["t"])) == (date, datetime)


def test_isoformat_parsing_still_works_in_scripts(env, run_script):
    script = "from datetime import date\nx = (date.fromisoformat('2026-03-01') - date(2026, 2, 1)).days"
    assert json.dumps(run_script(env, script)["x"]) == "28"
