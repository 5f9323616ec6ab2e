"""The API's route decorator, and the OpenAPI 3.1 document made from the same routes.

Each route names the pydantic models of its query, its body and its answer. The same
models parse and validate the request, shape the answer, and are the JSON Schemas
(2020-12, as OpenAPI 3.1 uses) in /api/v1/openapi.json, so the description cannot
drift from what the server does.

Pydantic does the validating and the JSON Schema; this module only gathers the routes
into paths. It is ours, and small, because the libraries that do this for Flask do not
fit: spectree answers a body that is not JSON as if it were `{}` (never 415), shapes
its own validation errors, and serves its documentation pages from a CDN on routes
outside our blueprint (so outside its problem+json handlers and our CSP);
flask-openapi3 and APIFlask want their own application class."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from planner.api import v1
from planner.api.auth import authenticate
from planner.api.problems import PROBLEM_JSON, Problem, field_error
from planner.api.schemas import MAX_ID, ProblemOut

PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PATH_PARAMETER = re.compile(r"{(\w+)}")
REF = "#/components/schemas/{model}"
# Every path parameter is a row id: an int4, which keeps absurd numbers from the database.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
FLASK_ID = r"<int:\1>"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    name: str
    summary: str
    tag: str
    description: str = ""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_required: bool = True
    response: type[BaseModel] | None = None
    status: int = 200
    problems: tuple[int, ...] = ()
    etag: bool = False
    if_match: str | None = None  # "required" or "optional"
    public: bool = False
    # An operation's field names as the API spells them ("starts_at" → "start").
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    """An answer other than a plain 200 with a body: another status, or headers."""

    body: BaseModel | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


ROUTES: list[Route] = []
_BY_ENDPOINT: dict[str, Route] = {}


def route(method: str, path: str, *, summary: str, tag: str, **options: Any) -> Callable:
    """Register `view` under /api/v1`path`. The view receives the path's ids, and
    `query` and `body` as validated models when the route has them; it returns a
    model, a Reply, or None (204)."""

    def decorate(view: Callable) -> Callable:
        spec = Route(method, path, view.__name__, summary, tag,
                     description=(view.__doc__ or "").strip(), **options)

        @wraps(view)
        def handle(**values: Any) -> Response:
            if not spec.public:
                authenticate(write=method not in SAFE_METHODS)
            if not all(1 <= value <= MAX_ID for value in values.values()):
                raise Problem(404)  # no row has such an id (and the database's int4 agrees)
            if spec.query is not None:
                values["query"] = _parse(spec.query, request.args.to_dict(), "query")
            if spec.body is not None:
                values["body"] = _parse(spec.body, _json_body(spec.body_required), "body")
            return _respond(view(**values), spec.status)

        v1.add_url_rule(PATH_PARAMETER.sub(FLASK_ID, path), endpoint=spec.name,
                        view_func=handle, methods=[method])
        ROUTES.append(spec)
        _BY_ENDPOINT[f"{v1.name}.{spec.name}"] = spec
        return view

    return decorate


def current_route() -> Route | None:
    """The route answering this request (InvalidInput takes its field names)."""
    return _BY_ENDPOINT.get((request.endpoint or "").removeprefix("api."))


def _json_body(required: bool) -> bytes:
    data = request.get_data()
    if not data:
        if required:
            raise Problem(400, "Send a JSON object in the request body.",
                          errors=[field_error("body", "A JSON body is required.")])
        return b"{}"
    if request.mimetype != "application/json":
        raise Problem(415, "Send the body as JSON, with Content-Type: application/json.")
    return data


def _parse(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    """A query string is text, so "2" is the number 2 there; a JSON body is strict: a
    number is not a time, nor "true" a boolean, just as the schema says."""
    try:
        if where == "body":
            return model.model_validate_json(data, strict=True)
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            field_error(".".join(str(part) for part in item["loc"]) or where,
                        _message(item), where)
            for item in error.errors(include_url=False)
        ]
        raise Problem(400, "Some of the input is not valid: see `errors`.",
                      errors=errors) from None


def _message(item: Mapping[str, Any]) -> str:
    if item["type"] == "missing":
        return "This field is required."
    if item["type"] == "json_invalid":
        return "The body is not valid JSON."
    if item["type"] == "string_pattern_mismatch":
        return "This text holds a character that cannot be stored (NUL)."
    if item["type"] == "extra_forbidden":
        return "This field is not known here."
    return str(item["msg"])


def _respond(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if not isinstance(result, Reply):
        result = Reply(result)
    code = result.status or (status if result.body is not None else 204)
    if result.body is None:
        response = current_app.response_class(status=code)
    else:
        response = current_app.response_class(
            result.body.model_dump_json(), status=code, mimetype="application/json"
        )
    response.headers.update(result.headers)
    # Answers depend on who asks, and hold the dialogues' papers.
    response.headers.setdefault("Cache-Control", "no-store")
    response.vary.update(("Authorization", "Cookie"))
    return response


# --- the OpenAPI document ---------------------------------------------------------------


INFO_DESCRIPTION = """\
The JSON API of Dialogue Planner: what the pages offer, for scripts and other systems.

**Authentication.** Send a personal API token as `Authorization: Bearer <token>`. Make
one on your account page, or with `planner token create EMAIL`. A token acts as its
person: it sees and may change exactly what that person may on the pages. Reading (GET)
also works in a browser that is signed in; changes always need a token.

**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`,
`detail`, and `errors`, a list naming each invalid field (`field`, `in`, `message`).
A request that does not match the schema answers 400; one that the rules refuse
(a meeting that is already cancelled, an end before the start) answers 422.

**Times** are ISO 8601 with an offset. Instants are in UTC (`Z`); a meeting also gives
its venue's IANA `timezone` and its local start and end, with the venue's offset.

**Lists** take `page` and `per_page` and answer
`{"items": [...], "page": ..., "per_page": ..., "total": ...}`.
"""


def openapi_document() -> dict[str, Any]:
    wanted: set[tuple[type[BaseModel], str]] = {(ProblemOut, "serialization")}
    for spec in ROUTES:
        for model, mode in ((spec.query, "validation"), (spec.body, "validation"),
                            (spec.response, "serialization")):
            if model is not None:
                wanted.add((model, mode))
    ordered = sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, definitions = models_json_schema(ordered, ref_template=REF)
    schemas = definitions.get("$defs", {})
    query_models = set()
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        operation, used = _operation(spec, refs, schemas)
        query_models |= used
        paths.setdefault(PREFIX + spec.path, {})[spec.method.lower()] = operation
    for name in query_models:  # they are parameters now, not bodies
        schemas.pop(name, None)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Dialogue Planner API",
            "version": "1.0.0",
            "description": INFO_DESCRIPTION,
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (`dp_...`), from your account page.",
                }
            },
        },
        "security": [{"bearerToken": []}],
        "tags": [{"name": name} for name in dict.fromkeys(spec.tag for spec in ROUTES)],
    }


def _name(ref: Mapping[str, str]) -> str:
    return ref["$ref"].rsplit("/", 1)[1]


def _operation(spec: Route, refs, schemas) -> tuple[dict[str, Any], set[str]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA}
        for name in PATH_PARAMETER.findall(spec.path)
    ]
    used = set()
    if spec.query is not None:
        name = _name(refs[(spec.query, "validation")])
        used.add(name)
        model = schemas[name]
        for prop, schema in model.get("properties", {}).items():
            schema = _query_schema(schema)
            parameter = {"name": prop, "in": "query",
                         "required": prop in model.get("required", ()), "schema": schema}
            if "description" in schema:
                parameter["description"] = schema.pop("description")
            parameters.append(parameter)
    if spec.if_match:
        parameters.append({
            "name": "If-Match", "in": "header", "required": spec.if_match == "required",
            "description": "The ETag of the version you changed; a newer one answers 412.",
            "schema": {"type": "string"},
        })
    operation: dict[str, Any] = {
        "operationId": spec.name,
        "summary": spec.summary,
        "tags": [spec.tag],
        "responses": _responses(spec, refs),
    }
    if spec.description:
        operation["description"] = spec.description
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = {
            "required": spec.body_required,
            "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
        }
    if spec.public:
        operation["security"] = []
    return operation, used


def _query_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is left out, never null: `int | None` is documented as int."""
    schema = {key: value for key, value in schema.items() if key != "title"}
    choices = [c for c in schema.get("anyOf", ()) if c != {"type": "null"}]
    if "anyOf" in schema and len(choices) < len(schema["anyOf"]):
        del schema["anyOf"]
        schema.update(choices[0] if len(choices) == 1 else {"anyOf": choices})
        if schema.get("default", 0) is None:
            del schema["default"]
    return schema


def _responses(spec: Route, refs) -> dict[str, Any]:
    success: dict[str, Any] = {"description": HTTPStatus(spec.status).phrase}
    if spec.response is not None:
        success["content"] = {
            "application/json": {"schema": refs[(spec.response, "serialization")]}
        }
    headers = {}
    if spec.etag:
        headers["ETag"] = {"description": "The version; send it back in If-Match to change it.",
                           "schema": {"type": "string"}}
    if spec.status == 201:
        headers["Location"] = {"description": "Where the new resource is.",
                               "schema": {"type": "string"}}
    if headers:
        success["headers"] = headers
    responses: dict[str, Any] = {str(spec.status if spec.response else 204): success}
    statuses = set(spec.problems)
    if not spec.public:
        statuses |= {401, 429}
    if PATH_PARAMETER.search(spec.path):
        statuses.add(404)
    if spec.query is not None or spec.body is not None:
        statuses.add(400)
    if spec.body is not None:
        statuses.add(415)
    if spec.if_match:
        statuses.add(412)
    if spec.if_match == "required":
        statuses.add(428)
    problem = {PROBLEM_JSON: {"schema": refs[(ProblemOut, "serialization")]}}
    for status in sorted(statuses):
        responses[str(status)] = {"description": HTTPStatus(status).phrase, "content": problem}
    if 401 in statuses:
        responses["401"]["headers"] = {
            "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}
        }
    return responses
