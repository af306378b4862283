def test_healthz_needs_no_login_and_no_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_answers_503_without_a_database(tmp_path):
    from rps_app import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "RPS_INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
