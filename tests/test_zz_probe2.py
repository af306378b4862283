from sqlalchemy import event
from rps_app import clock
from rps_app.extensions import db
from rps_app.stays import services as stays
from tests.conftest import login
from tests.flow_helpers import make_intake
from tests.stays_support import ACTOR, NOW
import os

def test_probe(app, client):
    clock.freeze(NOW)
    with app.app_context():
        batch = make_intake(6, place=True)
        make_intake(2, bast_number="Q1")
        s = batch.stays[1]
        ids = dict(client=s.client_id, stay=s.id, intake=batch.id)
    login(client, app, "kepala")
    for p in os.environ["PROBE"].split(","):
        path = p.format(**ids)
        with app.app_context():
            engine = db.engine
        ex = []
        def count(conn, cursor, statement, *a): ex.append(" ".join(statement.split())[:230])
        event.listen(engine, "before_cursor_execute", count)
        r = client.get(path)
        event.remove(engine, "before_cursor_execute", count)
        print("PAGE", path, r.status_code)
        for e in ex: print("   ", e)
    clock.freeze(None)
