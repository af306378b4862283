"""Metrics against a month computed by hand (tests/reporting_data.build_scenario).

Range 1-10 March 2026 (10 nights). Nights each stay occupies in the range:
  A same-day exit 2 March ............................ 0
  B 25 Feb 20:00 -> 4 Mar (PI-1) ..................... 1, 2, 3 Mar          = 3 (shelter, P)
  C open from 8 Mar 22:00, placed 9 Mar (PA-1) ....... 8 unplaced; 9, 10     = 3 (L)
  D 5 Mar -> 9 Mar: ISO-01 to 7 Mar 14:00, then PA-2 . 5, 6 iso; 7, 8 shelter = 4 (L)
  E 6 Mar 01:00 WIB (= 5 Mar UTC) -> 8 Mar 07:00 ..... 6, 7                  = 2 (shelter, P)
  F open since 20 Feb (PI-2) ......................... 1 .. 10               = 10 (shelter, P)
  bed nights 22: shelter 3+2+2+2+10 = 19, isolation 2, unplaced 1; L 7, P 15.
Beds: 90 a night; ISO-10 retired 4 Mar (-7), a PA-1 bed out nights 5-6 (-2), a new PA-1
bed from 9 Mar (+2): available 893 (shelter 800, isolation 93).
"""
from datetime import date

import pytest

from rps_app.extensions import db
from rps_app.reads import at_once
from rps_app.reporting import metrics

from .reporting_data import build_scenario, days, make_stay, resident, wib

START, END = date(2026, 3, 1), date(2026, 3, 10)


@pytest.fixture
def scenario(ctx):
    return build_scenario()


def test_occupancy_matches_the_hand_computed_month(scenario):
    result = metrics.occupancy(START, END)
    assert result.bed_nights == 22
    assert result.available_bed_nights == 893
    assert result.occupancy_rate == pytest.approx(22 / 893, abs=5e-5)
    shelter, isolation = result.by_room_kind["shelter"], result.by_room_kind["isolation"]
    assert (shelter.bed_nights, shelter.available_bed_nights) == (19, 800)
    assert (isolation.bed_nights, isolation.available_bed_nights) == (2, 93)
    assert isolation.occupancy_rate == pytest.approx(2 / 93, abs=5e-5)
    assert result.by_room_kind["unplaced"] == {"bed_nights": 1}
    assert result.by_sex == {"L": {"bed_nights": 7}, "P": {"bed_nights": 15}}
    assert [(d.date, d.occupied, d.capacity) for d in result.daily] == list(zip(
        days(START, 10), [2, 2, 2, 1, 2, 3, 3, 3, 2, 2],
        [90, 90, 90, 89, 88, 88, 89, 89, 90, 90]))


def nights_from_movements(start: date, end: date) -> list:
    """The dashboard's nights: each from the night before and the day's movements."""
    return at_once(lambda reads: metrics.ask_nights(reads, start, end)[0])


@pytest.mark.parametrize("start, end", [(START, END), (date(2026, 2, 18), date(2026, 3, 12)),
                                        (date(2026, 3, 4), date(2026, 3, 4)),
                                        (date(2026, 1, 5), date(2026, 1, 25))])
def test_the_dashboards_nights_from_movements_are_occupancys(scenario, start, end):
    """Same-day exit, a stay across the start, an arrival after midnight WIB, a retired
    bed, an outage, a new bed: the dashboard's count of each night (the night before, plus
    the day's admissions, less its exits; beds at each day's end) is occupancy()'s."""
    assert nights_from_movements(start, end) == metrics.occupancy(start, end).daily


def test_occupancy_json_has_the_contract_shape(scenario):
    data = metrics.occupancy(START, END).as_json()
    assert set(data) == {"bed_nights", "available_bed_nights", "occupancy_rate",
                         "by_room_kind", "by_sex", "daily"}
    assert set(data["by_room_kind"]) == {"shelter", "isolation", "unplaced"}
    assert data["daily"][0] == {"date": "2026-03-01", "occupied": 2, "capacity": 90}


def test_arrival_after_midnight_wib_counts_from_the_local_date(scenario):
    # E arrived 6 March 01:00 WIB (5 March in UTC): night 5 March holds only D and F.
    result = metrics.occupancy(date(2026, 3, 5), date(2026, 3, 5))
    assert result.bed_nights == 2
    assert result.by_sex == {"L": {"bed_nights": 1}, "P": {"bed_nights": 1}}


def test_length_of_stay_matches_the_hand_computed_month(scenario):
    result = metrics.length_of_stay(START, END).as_json()
    # Exits in range: A 0, B 7 (25 Feb -> 4 Mar), D 4, E 2 nights.
    assert result["exited"] == {"count": 4, "mean": 3.25, "median": 3.0, "max": 7,
                                "buckets": {"0-1": 1, "2-3": 1, "4-7": 2, "8-14": 0,
                                            "15-30": 0, "31+": 0}}
    # Open at the end of 10 March: C (3 nights) and F (20 Feb -> 11 Mar = 19 nights).
    assert result["active"]["count"] == 2
    assert result["active"]["over_limit"] == [
        {"stay_id": scenario["F"], "client_id": result["active"]["over_limit"][0]["client_id"],
         "name": "Siti <b>Aminah</b>", "nights": 19, "entry_date": "2026-02-20"}]
    assert result["exits_by_type"] == {"absconded": 1, "family": 2, "panti": 1}
    assert result["returns"] == 1


def test_open_stay_counts_through_the_end_of_the_range(scenario):
    # F, still open, seen from a range ending 25 Feb: 25 Feb + 1 - 20 Feb = 6 nights.
    result = metrics.length_of_stay(date(2026, 2, 1), date(2026, 2, 25))
    assert result.active["count"] == 2  # F, and B (entered 25 Feb, exits 4 Mar)
    assert result.active["over_limit"] == []
    assert metrics.length_of_stay(date(2026, 2, 1), date(2026, 2, 27)).active["over_limit"][0].nights == 8


def test_nothing_to_average_gives_null(ctx):
    result = metrics.length_of_stay(date(2020, 1, 1), date(2020, 1, 31)).as_json()
    assert result["exited"]["mean"] is None and result["exited"]["median"] is None
    assert result["exited"]["count"] == 0 and result["returns"] == 0


def test_return_window_is_180_days(ctx):
    near, far = resident("L"), resident("L")
    make_stay(near, wib(2025, 9, 1, 10), wib(2025, 9, 12, 10))      # 180 days before 11 Mar
    make_stay(near, wib(2026, 3, 11, 10))
    make_stay(far, wib(2025, 9, 1, 10), wib(2025, 9, 11, 10))       # 181 days before
    make_stay(far, wib(2026, 3, 11, 10))
    assert metrics.returns(date(2026, 3, 11), date(2026, 3, 11)) == 1


def test_admissions_by_sex_and_agency(scenario):
    result = metrics.admissions(START, END)
    assert result.total == 4  # A, C, D (second stay), E
    assert result.by_sex == {"L": 3, "P": 1}
    assert result.by_agency == {"satpol_pp": 4}


def test_median_of_even_and_odd_histograms():
    assert metrics.summarise_lengths({1: 1, 5: 1, 9: 1})["median"] == 5
    assert metrics.summarise_lengths({2: 3, 40: 1}) == {
        "count": 4, "mean": 11.5, "median": 2.0, "max": 40,
        "buckets": {"0-1": 0, "2-3": 3, "4-7": 0, "8-14": 0, "15-30": 0, "31+": 1}}


def test_stays_longer_than_a_month_count_in_every_range_they_cross(ctx):
    """Long stays and bed assignments are found through their own index (over 31 nights):
    a stay from January still open after the range, and one exited inside it."""
    from .reporting_data import bed, beds_since, place

    beds_since(wib(2025, 12, 1))
    still_in, gone = resident("L"), resident("P")
    open_stay = make_stay(still_in, wib(2026, 1, 1, 9))                        # open
    place(open_stay, still_in, bed("PA-3"), wib(2026, 1, 1, 10))
    long_exit = make_stay(gone, wib(2026, 1, 1, 9), wib(2026, 3, 5, 9), "panti")
    place(long_exit, gone, bed("PI-3"), wib(2026, 1, 1, 10), wib(2026, 3, 5, 9))

    occupancy = metrics.occupancy(START, END)
    # Nights 1-10 March for the open stay, 1-4 March for the one that left on the 5th.
    assert occupancy.bed_nights == 14
    assert nights_from_movements(START, END) == occupancy.daily
    assert occupancy.by_room_kind["shelter"].bed_nights == 14
    assert occupancy.by_sex == {"L": {"bed_nights": 10}, "P": {"bed_nights": 4}}

    los = metrics.length_of_stay(START, END).as_json()
    assert los["exited"]["count"] == 1 and los["exited"]["max"] == 63  # 1 Jan -> 5 Mar
    assert los["exited"]["buckets"]["31+"] == 1
    assert los["active"]["count"] == 1
    assert los["active"]["over_limit"][0]["nights"] == 69  # 1 Jan through the night of 10 Mar


def test_admissions_by_age_group_counted_in_sql_as_client_age_on(ctx):
    """Children under 18, adults, elderly from 60, on the entry date: birthdays on the
    day count, estimates age with the years since they were made."""
    entry = date(2026, 3, 10)
    people = [
        {"birth_date": date(2008, 3, 10)},                 # 18 on the day: adult
        {"birth_date": date(2008, 3, 11)},                 # 18 tomorrow: child
        {"birth_date": date(1966, 3, 10)},                 # 60 on the day: elderly
        {"birth_date": date(1966, 12, 31)},                # 59: adult
        {"estimated_age": 59, "age_estimated_on": date(2025, 1, 5)},  # 60 by now: elderly
        {"estimated_age": 17, "age_estimated_on": date(2026, 3, 11)},  # later estimate: 17
        {"estimated_age": 12},                             # no date: 12
    ]
    clients = []
    for fields in people:
        client = resident("L")
        client.estimated_age = fields.get("estimated_age")
        client.birth_date = fields.get("birth_date")
        client.age_estimated_on = fields.get("age_estimated_on")
        make_stay(client, wib(2026, 3, 10, 9))
        clients.append(client)
    db.session.flush()
    expected = {"anak": 0, "dewasa": 0, "lansia": 0}
    for client in clients:
        age = client.age_on(entry)
        expected["anak" if age < 18 else "lansia" if age >= 60 else "dewasa"] += 1
    assert expected == {"anak": 3, "dewasa": 2, "lansia": 2}
    assert metrics.admissions_by_age_group(entry, entry) == expected
    assert metrics.admissions(entry, entry).by_age_group == expected
    assert metrics.admissions_by_age_group(date(2026, 3, 11), date(2026, 3, 31)) == \
        {"anak": 0, "dewasa": 0, "lansia": 0}
