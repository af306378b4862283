"""JSON API of auth under /api/v1: bearer tokens."""
from flask import Blueprint, jsonify, request
from flask_login import current_user

from ..errors import ValidationError
from ..openapi import boolean, declare, integer, moment, nullable, obj, text
from ..web import current_actor, json_body
from . import services
from .permissions import Permission, public, requires

api = Blueprint("auth_api", __name__)


@api.post("/auth/token")
@public
@declare(body=obj({"username": text(), "password": text()}),
         answers={200: obj({"token": text(), "expires_at": moment()})},
         summary="A bearer token for these credentials (throttled: 429)")
def create_token():
    """{"username", "password"} -> {"token", "expires_at"}; 401, or 429 when throttled."""
    data = json_body()
    fields = {name: "Wajib diisi (teks)." for name in ("username", "password")
              if not isinstance(data.get(name), str)}
    if fields:  # valid JSON, invalid content: 422 (contract.md), not 400
        raise ValidationError("Nama pengguna dan kata sandi wajib dikirim sebagai teks.", fields)
    actor = current_actor()
    user = services.authenticate(actor, data["username"], data["password"])
    token, expires_at = services.issue_token(services.actor_for(user, actor), user)
    return jsonify(token=token, expires_at=expires_at.isoformat())


@api.delete("/auth/token")
@requires(Permission.ACCOUNT)
@declare(answers={204: None}, summary="Revoke the token this request came with")
def revoke_token():
    """Revoke the token this request came with."""
    services.revoke_token(current_actor(), request.headers["Authorization"][7:].strip())
    return "", 204


@api.get("/auth/me")
@requires(Permission.ACCOUNT)
@declare(answers={200: obj({"id": integer(), "username": text(), "full_name": text(),
                            "nip": nullable(text()), "role": text(),
                            "language": nullable(text()), "must_change_password": boolean()})},
         summary="The user of this token")
def me():
    user = current_user
    return jsonify(id=user.id, username=user.username, full_name=user.full_name, nip=user.nip,
                   role=user.role, language=user.language,
                   must_change_password=bool(user.must_change_password))
