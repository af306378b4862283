"""Issue 12, finding 1: no request, however malformed, gets a 500 (contract "Safety rules
added"). Each case below answered 500 before the parsing went through rps_app.fields."""
import json

import pytest

from rps_app import fields

from .conftest import api_token, login


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.mark.parametrize("text", ["²", "--1", "1" * 5000, str(2 ** 63), "1e20", "١", " ", "+-1"])
def test_parse_int_refuses_what_int_or_the_database_cannot_take(text):
    assert fields.parse_int(text) is None


def test_parse_int_reads_plain_numbers_within_64_bits():
    assert fields.parse_int(" 42 ") == 42
    assert fields.parse_int("-7") == -7
    assert fields.parse_int(str(2 ** 63 - 1)) == 2 ** 63 - 1
    assert fields.parse_int(2 ** 63) is None
    assert fields.parse_int(True) is None and fields.parse_int(1e20) is None


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "2026-02-30", "2026-1-01", "٢٠٢٦-01-01"])
def test_parse_date_refuses_the_ends_of_the_calendar(text):
    assert fields.parse_date(text) is None


def test_parse_moment_refuses_the_ends_of_the_calendar():
    assert fields.parse_moment("0001-01-01T00:00:00") is None
    assert fields.parse_moment("9999-12-31T23:59:59-12:00") is None
    assert fields.parse_moment("2026-11-06T21:30:00+07:00").hour == 14


def test_loads_json_turns_every_problem_into_a_value_error():
    for document in ("[" * 50000, '{"a": "\\ud800"}', '{"\\udfff": 1}', '["\\u0000"]', "NaN",
                     "1" * 5000, "[" * 100 + "]" * 100):
        with pytest.raises(ValueError):
            fields.loads_json(document)
    assert fields.loads_json('{"a": ["ok"]}') == {"a": ["ok"]}


@pytest.mark.parametrize("path", ["/api/v1/clients/99999999999999999999",
                                  "/api/v1/clients/9223372036854775808",
                                  "/api/v1/clients/²", "/api/v1/letters/99999999999999999999.pdf",
                                  "/api/v1/intakes/99999999999999999999/bast.pdf"])
def test_ids_beyond_64_bits_are_404(app, client, path):
    headers = api_token(client, app, "kepala")
    _error(client.get(path, headers=headers), 404)


def test_web_ids_beyond_64_bits_are_404(app, client):
    login(client, app, "kepala")
    for path in ("/clients/99999999999999999999", "/stays/9223372036854775808"):
        assert client.get(path).status_code == 404


def test_largest_id_is_a_plain_not_found(app, client):
    headers = api_token(client, app, "kepala")
    for number in (2 ** 31 - 1, 2 ** 31, 2 ** 63 - 1):
        _error(client.get(f"/api/v1/clients/{number}", headers=headers), 404)


def test_deep_json_without_login_is_400(app, client):
    response = client.post("/api/v1/auth/token", data="[" * 50000,
                           content_type="application/json")
    assert _error(response, 400)["code"] == "bad_request"


def test_lone_surrogate_without_login_is_400(app, client):
    response = client.post("/api/v1/auth/token", data='{"username": "\\ud800", "password": "x"}',
                           content_type="application/json")
    _error(response, 400)


def test_lone_surrogate_in_an_institution_name_is_400(app, client):
    headers = api_token(client, app, "kepala")
    body = '{"name": "Panti \\ud800", "kind": "panti", "address": "Jl. A", "city": "Slawi"}'
    response = client.post("/api/v1/institutions", data=body, headers=headers,
                           content_type="application/json")
    _error(response, 400)


def test_nul_in_a_query_is_400(app, client):
    headers = api_token(client, app, "kepala")
    _error(client.get("/api/v1/clients?q=a%00b", headers=headers), 400)


@pytest.mark.parametrize("page", ["²", "--1", "9" * 5000, str(2 ** 70)])
def test_odd_page_numbers_are_422_in_the_api_and_the_first_page_on_pages(app, client, page):
    headers = api_token(client, app, "kepala")
    error = _error(client.get(f"/api/v1/stays?page={page}", headers=headers), 422)
    assert list(error["fields"]) == ["page"]
    login(client, app, "admin")
    assert client.get(f"/admin/users?page={page}").status_code == 200


@pytest.mark.parametrize("value", [1e20, 2 ** 64, "²", "--1", "9" * 5000])
def test_placement_bed_id_out_of_range_is_422(app, client, value):
    headers = api_token(client, app, "kepala")
    body = '{"bed_id": %s}' % (json.dumps(value) if not isinstance(value, int) else str(value))
    response = client.post("/api/v1/stays/1/placement", data=body, headers=headers,
                           content_type="application/json")
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert "bed_id" in response.get_json()["error"]["fields"]


def test_operation_at_at_the_start_of_the_calendar_is_422(app, client):
    headers = api_token(client, app, "kepala")
    body = {"agency": "satpol_pp", "officer_name": "A", "officer_id_number": "1",
            "bast_number": "1/BAST", "operation_place": "Alun-alun",
            "operation_at": "0001-01-01T00:00:00",
            "clients": [{"name": "X", "identity_known": False, "sex": "L", "estimated_age": 40,
                         "pmks_category": 11, "needs_isolation": False}]}
    error = _error(client.post("/api/v1/intakes", json=body, headers=headers), 422)
    assert "operation_at" in error["fields"]


@pytest.mark.parametrize("query", ["since=0001-01-01", "since=9999-12-31T23:59:59-12:00",
                                   "limit=²", "limit=" + "9" * 5000])
def test_audit_filters_at_the_ends_are_422(app, client, query):
    headers = api_token(client, app, "kepala")
    _error(client.get(f"/api/v1/audit?{query}", headers=headers), 422)


@pytest.mark.parametrize("query", ["from=9999-12-31&to=9999-12-31", "from=0001-01-01&to=0001-01-02"])
def test_report_periods_at_the_ends_are_422(app, client, query):
    headers = api_token(client, app, "kepala")
    error = _error(client.get(f"/api/v1/reports/occupancy?{query}", headers=headers), 422)
    assert "from" in error["fields"] or "to" in error["fields"]
