"""The API against its own OpenAPI schema (schemathesis): no 5xx, responses
match the schema, for generated valid and invalid requests."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from oncometrics.web.app import create_app
from tests.web_fixtures import make_store


def _app():  # type: ignore[no-untyped-def]
    import tempfile

    return create_app(make_store(Path(tempfile.mkdtemp(prefix="om-schema-"))))


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
