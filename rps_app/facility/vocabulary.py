"""The kinds of rooms and their Indonesian labels."""
from ..labels import N_

ROOM_KIND_LABELS = {
    "shelter": N_("Shelter"), "isolation": N_("Ruang Isolasi"), "therapy": N_("Ruang Terapi"),
    "guard_post": N_("Pos Jaga"), "communal": N_("Ruang Komunal"), "lobby": N_("Lobby"),
    "kitchen": N_("Dapur"), "logistics": N_("Logistik"), "office": N_("Kantor"),
    "head_office": N_("Ruang Ka. RPS"), "guest_house": N_("Guest House"),
}
