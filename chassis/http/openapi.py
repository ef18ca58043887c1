"""A service's OpenAPI document made true to what its routes answer.

Routes declare the problems of their own rules (`responses(404, 409)`); what the chassis and
the framework answer for every route is added here, so no route can forget it: 422 where
there is input to refuse, 400 where a body may not parse, 401 where a token is required,
500 everywhere. Every problem is `application/problem+json` with the `ProblemDetail` schema.
"""

from http import HTTPStatus
from typing import Any

from chassis.http.problems import MEDIA_TYPE, ProblemDetail

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def problem_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the problems every operation can answer, in place; returns `schema`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["ProblemDetail"] = problem
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            statuses = {500}
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            if operation.get("requestBody"):
                statuses.add(400)
            if any("HTTPBearer" in option for option in operation.get("security", [])):
                statuses.add(401)
            for status in statuses:
                responses.setdefault(str(status), problem_response(status))
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {MEDIA_TYPE: {"schema": PROBLEM_REF}}
    return schema
