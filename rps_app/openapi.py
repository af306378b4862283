"""The API's description (OpenAPI 3.1 at GET /api/v1/openapi.json), generated from the routes.

A route declares what it takes and answers with `@declare(...)`, right above the view
function (below `@api.post(...)` and `@requires(...)`):

    @api.post("/institutions")
    @requires(Permission.INSTITUTIONS_EDIT)
    @declare(body=obj({"name": text(200), "kind": enum(*KINDS)}, {"phone": text(40)}),
             answers={201: INSTITUTION}, summary="Add an institution")
    def institution_add(): ...

The same declaration does both jobs: the body (and the declared query parameters) are
checked against it before the view runs (a problem is 422 validation_error naming the field,
`clients.0.sex`; a body that is not a JSON object is 400), and the document renders it.
So the document cannot drift from what the route accepts. The services still check the
rules (a NIK's checksum, a free bed); the declaration is the shape.

Every rule under /api/v1 is in the document, declared or not: an undeclared route gets its
path parameters from the URL rule, a generic JSON object body for POST/PUT/PATCH and a
generic answer. Every operation lists the error answers of contract.md with their body.
Schemas are plain JSON Schema (2020-12, as OpenAPI 3.1 uses); the helpers below build them.
"""
import functools
import re
from dataclasses import dataclass, field

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.routing import IntegerConverter

from .permissions import PUBLIC, public
from .errors import BadRequest, ValidationError
from .fields import INT32_MAX, INT32_MIN, parse_date, parse_int, parse_moment

API_PREFIX = "/api/v1"
SPEC_ATTR = "_rps_openapi"
ERROR_STATUSES = {400: "Malformed request", 401: "Not authenticated", 403: "Forbidden",
                  404: "Not found",
                  405: "Method not allowed (also: an id out of range on a path that has "
                       "another method)",
                  409: "Conflict with the current state",
                  422: "Valid JSON, invalid content", 429: "Too many attempts"}


# ------------------------------------------------------------------ schema helpers

def text(max_length: int | None = None, min_length: int | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if max_length is not None:
        schema["maxLength"] = max_length
    if min_length is not None:
        schema["minLength"] = min_length
    return schema


def integer(low: int | None = None, high: int | None = None, **extra) -> dict:
    """An integer; without bounds, one that fits an INTEGER column."""
    return {"type": "integer", "minimum": INT32_MIN if low is None else low,
            "maximum": INT32_MAX if high is None else high, **extra}


def ident(**extra) -> dict:
    return integer(1, INT32_MAX, **extra)


def number(**extra) -> dict:
    return {"type": "number", **extra}


def boolean(**extra) -> dict:
    return {"type": "boolean", **extra}


def enum(*values, **extra) -> dict:
    return {"enum": list(values), **extra}


def date_(**extra) -> dict:
    return {"type": "string", "format": "date", **extra}


def moment(**extra) -> dict:
    return {"type": "string", "format": "date-time", **extra}


def array(items: dict, max_items: int | None = None, min_items: int | None = None) -> dict:
    schema = {"type": "array", "items": items}
    if max_items is not None:
        schema["maxItems"] = max_items
    if min_items is not None:
        schema["minItems"] = min_items
    return schema


def nullable(schema: dict) -> dict:
    """`schema` or null (JSON Schema's type list; an enum gains None)."""
    schema = dict(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    elif isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    else:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def obj(required: dict | None = None, optional: dict | None = None, **extra) -> dict:
    """An object with `required` properties and `optional` ones (which may also be null:
    the services treat null as left out). Other properties are allowed and ignored."""
    required, optional = required or {}, optional or {}
    schema = {"type": "object",
              "properties": {**required, **{k: nullable(v) for k, v in optional.items()}},
              **extra}
    if required:
        schema["required"] = list(required)
    return schema


ANY_OBJECT = {"type": "object"}
ANY = {}  # any JSON value (the answer of a route that declares none)
ERROR = obj({"error": obj({"code": text(), "message": text(),
                           "fields": {"type": "object", "additionalProperties": text()}})})
PDF = {"type": "string", "format": "binary"}


# ------------------------------------------------------------------ declarations

@dataclass(frozen=True)
class Spec:
    summary: str | None = None
    body: dict | None = None
    query: dict = field(default_factory=dict)         # name -> schema (strings on the wire)
    answers: dict = field(default_factory=dict)       # status -> schema, PDF or None (empty)


def declare(body: dict | None = None, answers: dict | None = None, query: dict | None = None,
            summary: str | None = None):
    """Describe a route of the API and check its request against the description."""
    spec = Spec(summary, body, dict(query or {}), dict(answers or {}))

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            check_request(spec)
            return view(*args, **kwargs)
        setattr(checked, SPEC_ATTR, spec)
        return checked
    return wrap


def check_request(spec: Spec) -> None:
    problems: dict[str, str] = {}
    for name, schema in spec.query.items():
        value = request.args.get(name)
        if value not in (None, ""):
            _check_query(schema, value, name, problems)
    if spec.body is not None:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("Isi permintaan harus berupa objek JSON.")
        _check(spec.body, data, "", problems)
    if problems:
        raise ValidationError("Isian tidak valid: " + ", ".join(problems) + ".", problems)


# ------------------------------------------------------------------ checking a value

_TYPES = {"object": "objek", "array": "daftar", "string": "teks", "integer": "bilangan bulat",
          "number": "angka", "boolean": "true atau false", "null": "null"}


def _is(kind: str, value) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return value is None


def _check(schema: dict, value, path: str, problems: dict) -> None:
    key = path or "body"
    if schema.get("title"):  # the field's label leads its message: "Jenis lembaga harus ..."
        labelled: dict = {}
        _check({k: v for k, v in schema.items() if k != "title"}, value, path, labelled)
        for name, message in labelled.items():
            problems.setdefault(name, f"{schema['title']}: {message[0].lower()}{message[1:]}"
                                if name == key else message)
        return
    if "anyOf" in schema:
        for branch in schema["anyOf"]:
            trial: dict = {}
            _check(branch, value, path, trial)
            if not trial:
                return
        problems.setdefault(key, "Bentuk isian tidak dikenali.")
        return
    if "enum" in schema:
        if value not in schema["enum"]:
            shown = ", ".join(str(v) for v in schema["enum"] if v is not None)
            problems.setdefault(key, f"Harus salah satu dari: {shown}.")
        return
    kinds = schema.get("type")
    if kinds is None:
        return
    kinds = [kinds] if isinstance(kinds, str) else kinds
    kind = next((k for k in kinds if _is(k, value)), None)
    if kind is None and "integer" in kinds and isinstance(value, str) \
            and parse_int(value) is not None:
        # Digits as text count as the number (fields.FieldErrors.integer reads them so: a
        # form's value passed on as JSON).
        kind, value = "integer", parse_int(value)
    if kind is None:
        wanted = " atau ".join(_TYPES[k] for k in kinds if k != "null")
        problems.setdefault(key, f"Harus berupa {wanted}.")
        return
    if kind == "string":
        _check_text(schema, value, key, problems)
    elif kind in ("integer", "number"):
        if ("minimum" in schema and value < schema["minimum"]) or (
                "maximum" in schema and value > schema["maximum"]):
            problems.setdefault(key, f"Harus {schema.get('minimum')} sampai {schema.get('maximum')}.")
    elif kind == "array":
        if len(value) > schema.get("maxItems", len(value)) or len(value) < schema.get("minItems", 0):
            problems.setdefault(key, f"Jumlah isian {schema.get('minItems', 0)} sampai "
                                     f"{schema.get('maxItems', '...')}.")
            return
        for index, item in enumerate(value):
            _check(schema.get("items", {}), item, f"{path}.{index}" if path else str(index), problems)
    elif kind == "object":
        for name in schema.get("required", []):
            if value.get(name) is None:
                title = schema.get("properties", {}).get(name, {}).get("title")
                problems.setdefault(f"{path}.{name}" if path else name,
                                    f"{title} wajib diisi." if title else "Wajib diisi.")
        for name, inner in schema.get("properties", {}).items():
            if name in value and not (value[name] is None and name not in schema.get("required", [])):
                _check(inner, value[name], f"{path}.{name}" if path else name, problems)


def _check_text(schema: dict, value: str, key: str, problems: dict) -> None:
    if len(value) > schema.get("maxLength", len(value)):
        problems.setdefault(key, f"Terlalu panjang (maks. {schema['maxLength']} karakter).")
    elif len(value) < schema.get("minLength", 0):
        problems.setdefault(key, "Terlalu pendek." if schema["minLength"] > 1 else "Wajib diisi.")
    elif schema.get("format") == "date" and parse_date(value) is None:
        problems.setdefault(key, "Harus berupa tanggal YYYY-MM-DD (1900-2199).")
    elif schema.get("format") == "date-time" and parse_moment(value) is None:
        problems.setdefault(key, "Harus berupa waktu ISO 8601, mis. 2026-11-06T21:30:00+07:00.")


def _check_query(schema: dict, value: str, name: str, problems: dict) -> None:
    """Query values are text on the wire: integers and booleans are read from it first."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else (kinds or [])
    if "integer" in kinds:
        number_ = parse_int(value)
        if number_ is None:
            problems.setdefault(name, "Harus berupa bilangan bulat.")
            return
        _check(schema, number_, name, problems)
    elif "boolean" in kinds:
        if value not in ("true", "false"):
            problems.setdefault(name, "Harus true atau false.")
    else:
        _check(schema, value, name, problems)


# ------------------------------------------------------------------ the document

_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _path_and_parameters(rule) -> tuple[str, list]:
    """/api/v1/clients/<int:client_id> -> /api/v1/clients/{client_id} and its parameter."""
    parameters = []
    for match in _VARIABLE.finditer(rule.rule):
        converter = rule._converters.get(match["name"])
        schema = (ident() if isinstance(converter, IntegerConverter)
                  else text(64, 1, pattern="^[^/]+$"))
        parameters.append({"name": match["name"], "in": "path", "required": True,
                           "schema": schema})
    return _VARIABLE.sub(lambda m: "{" + m["name"] + "}", rule.rule), parameters


def _content(schema, kind: str = "application/json") -> dict:
    if schema is PDF:
        return {"application/pdf": {"schema": PDF}}
    return {kind: {"schema": schema}}


def _operation(rule, method: str, spec: Spec | None, parameters: list) -> dict:
    spec = spec or Spec()
    is_public = getattr(current_app.view_functions[rule.endpoint], "_rps_access", None) == PUBLIC
    operation: dict = {"operationId": f"{rule.endpoint}.{method}",
                       "summary": spec.summary or rule.endpoint,
                       "parameters": [*parameters, *[
                           {"name": name, "in": "query", "required": False, "schema": schema}
                           for name, schema in spec.query.items()]]}
    if is_public:
        operation["security"] = []
    if method in ("post", "put", "patch"):
        operation["requestBody"] = {"required": spec.body is not None or method != "post",
                                    "content": _content(spec.body or ANY_OBJECT)}
        if method == "post":
            operation["parameters"].append({
                "name": "Idempotency-Key", "in": "header", "required": False,
                "description": "The same key from the same user within 24 hours answers the "
                               "first answer again and does nothing more.",
                "schema": text(64, 1, pattern="^[\\x21-\\x7e]+$")})
    answers = spec.answers or {201 if method == "post" else 200: ANY}
    responses = {}
    for status, schema in answers.items():
        responses[str(status)] = ({"description": "No content"} if schema is None else
                                  {"description": "Success", "content": _content(schema)})
    for status, description in ERROR_STATUSES.items():
        responses.setdefault(str(status), {"description": description,
                                           "content": _content({"$ref": "#/components/schemas/Error"})})
    operation["responses"] = responses
    return operation


def document(app: Flask) -> dict:
    paths: dict = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path, parameters = _path_and_parameters(rule)
        spec = getattr(app.view_functions[rule.endpoint], SPEC_ATTR, None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path.removeprefix(API_PREFIX), {})[method.lower()] = \
                _operation(rule, method.lower(), spec, parameters)
    return {
        "openapi": "3.1.0",
        "info": {"title": "RPS API", "version": "1",
                 "description": "Rumah Perlindungan Sosial, Dinas Sosial Kabupaten Tegal. "
                                "Errors: {error: {code, message, fields}}."},
        "servers": [{"url": API_PREFIX}],
        "components": {"schemas": {"Error": ERROR},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


api = Blueprint("openapi_api", __name__)


@api.get("/openapi.json")
@public
@declare(answers={200: obj({"openapi": text(), "paths": ANY_OBJECT})},
         summary="This document (OpenAPI 3.1)")
def openapi_document():
    return jsonify(document(current_app))


def register(app: Flask) -> None:
    from . import registry
    registry.add_blueprint(app, api, api=True)
