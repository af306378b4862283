"""The whole API, fuzzed (issue 12, "Done when"): schemathesis generates requests for every
operation of GET /api/v1/openapi.json, valid and invalid, sends them as kepala and without
login, and checks that no answer is a 500 and that every answer (status, content type, body)
is what the document says. Fixed budget (EXAMPLES per operation, derandomized) so that the
run takes about a minute per database.

Run and count: see README ("Fuzzing the API").
"""
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
