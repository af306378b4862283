"""For the client-flow page tests: the fields the intake page posts (intakes themselves:
factories.make_intake)."""

def intake_form(token: str, rows: list[dict], **overrides) -> dict:
    """The intake page's fields: header plus `clients-<i>-<field>` per row (True -> ticked)."""
    data = {"csrf_token": token, "agency": "satpol_pp", "officer_name": "Bripka Darto",
            "officer_id_number": "8504123", "bast_number": "BAST/07/2026",
            "operation_place": "Terminal Slawi", "operation_at": "2026-11-06T08:30",
            "received_at": "2026-11-06T09:30"}
    data.update(overrides)
    for i, fields in enumerate(rows):
        for key, value in fields.items():
            if value is True:
                data[f"clients-{i}-{key}"] = "y"
            elif value not in (False, None):
                data[f"clients-{i}-{key}"] = value
    return data
