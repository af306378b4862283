"""The placement rule lives in one place: the bed board, its script and the stay page show
the beds the placement service says fit (stays.placement.fitting_beds), nothing else."""
import re
from pathlib import Path

import pytest

from rps_app import clock
from rps_app.extensions import db
from rps_app.facility.models import Bed
from rps_app.stays import services as stays

from .conftest import login
from .stays_support import ACTOR, NOW, admit, client_row, room

BOARD_JS = Path(__file__).resolve().parent.parent / "rps_app" / "static" / "js" / "board.js"


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def fits_on_board(html: str) -> dict[int, set[int]]:
    return {int(stay): {int(bed) for bed in beds.split()}
            for stay, beds in re.findall(r'data-choose-stay="(\d+)"[^>]*data-fits="([^"]*)"',
                                         html, re.S)}


def codes(bed_ids) -> set[str]:
    return {db.session.get(Bed, bed_id).room.code for bed_id in bed_ids}


def test_the_board_shows_the_services_decision_of_which_beds_fit(app, client):
    with app.app_context():
        # An adult man already sleeps in PA-1: a boy may not join him there (rule 3).
        adult, = admit(client_row("Darto", "L", 40))
        stays.place(ACTOR, adult.id, room_id=room("PA-1").id)
        man, woman, isolated, boy = admit(
            client_row("Sutrisno", "L", 50), client_row("Warsini", "P", 30),
            client_row("Karto", "L", 45, needs_isolation=True), client_row("Tole", "L", 12),
            bast_number="B/2")
        db.session.commit()
        ids = [man.id, woman.id, isolated.id, boy.id]
        decided = {stay_id: {bed.id for _room, bed in pairs}
                   for stay_id, pairs in stays.fitting_beds(ids, clock.local_today()).items()}
    login(client, app, "petugas")
    html = client.get("/rooms").get_data(as_text=True)
    shown = fits_on_board(html)
    assert shown == decided
    isolation = {f"ISO-{n:02d}" for n in range(1, 11)}  # any client may be put there by hand
    with app.app_context():
        assert codes(shown[man.id]) == {"PA-1", "PA-2", "PA-3", "PA-4"} | isolation
        assert codes(shown[woman.id]) == {"PI-1", "PI-2", "PI-3", "PI-4"} | isolation
        assert codes(shown[isolated.id]) == isolation
        assert codes(shown[boy.id]) == {"PA-2", "PA-3", "PA-4"} | isolation
        assert len(shown[man.id]) == 39 + 10  # PA-1's occupied bed is not offered
    # The select beside each waiting client offers exactly those beds as well.
    boy_select = re.search(rf'id="q-bed-{boy.id}".*?</select>', html, re.S).group(0)
    assert {int(b) for b in re.findall(r'<option value="(\d+)"', boy_select)} == shown[boy.id]


def test_the_stay_page_offers_the_same_beds(app, client):
    """The stay page reads only the rooms its client may go to (the client's sex's shelter
    rooms and the isolation rooms): it offers what the service decides over every room."""
    with app.app_context():
        adult, boy, woman = admit(client_row("Darto", "L", 40), client_row("Tole", "L", 12),
                                  client_row("Warsini", "P", 30))
        stays.place(ACTOR, adult.id, room_id=room("PA-1").id)
        db.session.commit()
        decided = {stay_id: {bed.id for _room, bed in pairs} for stay_id, pairs in
                   stays.fitting_beds([boy.id, woman.id], clock.local_today()).items()}
    login(client, app, "petugas")
    for stay_id in (boy.id, woman.id):
        html = client.get(f"/stays/{stay_id}").get_data(as_text=True)
        offered = {int(b) for b in re.findall(r'<option value="(\d+)">[A-Z]+-\d+ / ', html)}
        assert offered == decided[stay_id] and offered
    with app.app_context():
        assert {code[:2] for code in codes(decided[boy.id])} == {"PA", "IS"}
        assert {code[:2] for code in codes(decided[woman.id])} == {"PI", "IS"}


def test_the_script_holds_no_placement_rule():
    """Choosing a bed asks data-fits only (the board's filters read other attributes, to
    show or hide people, never to decide where they may go)."""
    script = BOARD_JS.read_text(encoding="utf-8")
    fits = re.search(r"function fits\(bed, person\) \{(.*?)\n  \}", script, re.S).group(1)
    assert "dataset.fits" in fits and "bed.dataset.bed" in fits
    assert fits.count("dataset.") == 2  # nothing else about the bed or the person
    for rule_word in ("roomSex", "roomKind", "room-sex", "room-kind"):
        assert rule_word not in script
