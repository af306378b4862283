"""The whole API, fuzzed (issue 12, "Done when"): schemathesis generates requests for every
operation of GET /api/v1/openapi.json, valid and invalid, sends them as kepala and without
login, and checks that no answer is a 500 and that every answer (status, content type, body)
is what the document says. Fixed budget (EXAMPLES per operation, derandomized) so that the
run takes about a minute per database.

Run and count: see README ("Fuzzing the API").
"""
import json
import tempfile

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_headers_conformance, response_schema_conformance,
                                 status_code_conformance)

from rps_app import create_app
from rps_app.audit.services import Actor
from rps_app.extensions import db
from rps_app.referrals import services as referrals
from rps_app.stays import services as stays

from .conftest import api_token
from .factories import make_intake

EXAMPLES = 25  # per operation, half valid and half invalid data on average
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def _document() -> dict:
    """The document as the app serves it (no database needed to describe the routes)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "RPS_INSTANCE_PATH": folder,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        return app.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


def _seed(app) -> dict:
    """Something to find (stays, clients, an intake, a letter) and a kepala's token."""
    with app.app_context():
        batch = make_intake(2, place=True)
        institution = referrals.add_institution(Actor.system("fuzz"), "Panti Uji", "panti",
                                                "Jl. Uji 1", "Semarang")
        db.session.commit()
        stays.exit_stay(Actor.system("fuzz"), batch.stays[0].id,
                        {"exit_type": "panti", "institution_id": institution.id})
        db.session.commit()
    return api_token(app.test_client(), app, "kepala", username="fuzz-kepala")


def _send(client, case, headers):
    request = case.as_transport_kwargs(base_url="/api/v1")
    sent = {**(request.get("headers") or {}), **headers}
    if "Authorization" not in headers:
        sent.pop("Authorization", None)
    return client.open(request["url"], method=request["method"], headers=sent,
                       query_string=request.get("params"), data=request.get("data"),
                       json=request.get("json"))


def test_no_500_and_every_answer_as_documented(app):
    """One database per backend for the whole run (the operations share its rows)."""
    kepala = _seed(app)
    client = app.test_client()
    counts = {"operations": 0, "requests": 0, "server_errors": 0}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(case=cases)
        def run(case):
            for headers in (kepala, {}):
                response = _send(client, case, headers)
                counts["requests"] += 1
                counts["server_errors"] += response.status_code >= 500
                case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's problem, then fail once
            failures.append(f"{operation.label}: {error}"[:3000])
    print(f"\nfuzz ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}): {counts}")
    assert counts["server_errors"] == 0 and not failures, "\n\n".join(failures)
    documented = sum(len(methods) for methods in schema.raw_schema["paths"].values())
    assert counts["operations"] == documented


# Edges that generated data rarely reaches (hypothesis keeps within the declared bounds and
# never writes lone surrogates or 50,000 "["): each one is sent to every operation.
EDGE_IDS = ["2147483648", "9223372036854775807", "9223372036854775808", "9" * 40, "²", "0"]
EDGE_BODIES = ["[" * 50000, '{"name": "\\ud800", "username": "\\udfff"}', '{"a": 1e400}',
               '{"a": NaN}', "\x00", '{"x": "' + "9" * 5000 + '"}', "9" * 5000]
EDGE_VALUES = [2 ** 31, 2 ** 63, 2 ** 64, -(2 ** 63) - 1, 1e20, "9" * 5000, "0001-01-01",
               "9999-12-31T23:59:59-12:00", "²", "", None, [], {}]


def _edge_fields(operation) -> list[str]:
    body = (operation.definition.raw.get("requestBody") or {}).get("content", {})
    schema = body.get("application/json", {}).get("schema", {})
    return list(schema.get("properties", {})) or ["id"]


def test_edge_inputs_on_every_operation(app):
    kepala = _seed(app)
    client = app.test_client()
    problems, sent = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        method, template = operation.method.upper(), "/api/v1" + operation.path
        names = [p["name"] for p in operation.definition.raw.get("parameters", [])
                 if p.get("in") == "path"]
        requests = [(template.replace("{" + names[0] + "}", edge) if names else template, None)
                    for edge in (EDGE_IDS if names else [""])]
        path = template
        for name in names:
            path = path.replace("{" + name + "}", "1")
        if method in ("POST", "PUT", "PATCH"):
            requests += [(path, body) for body in EDGE_BODIES]
            requests += [(path, json.dumps({field: value}))
                         for field in _edge_fields(operation) for value in EDGE_VALUES]
        for url, body in requests:
            response = client.open(url, method=method, headers={**kepala, **(
                {"Content-Type": "application/json"} if body is not None else {})},
                data=body)
            sent += 1
            documented = operation.definition.raw["responses"]
            if response.status_code >= 500 or str(response.status_code) not in documented:
                problems.append(f"{method} {url[:80]} {str(body)[:60]!r}: {response.status_code}")
    print(f"\nedges ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}): {sent} requests")
    assert not problems, "\n".join(problems[:40])
