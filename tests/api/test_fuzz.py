"""A short schemathesis run over every operation: generated requests, valid and not, must
get an answer the OpenAPI document promises (status, content type, shape), never a 500."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gradscape.app import create_app
from gradscape.config import Settings

# A small budget: a fuzzed request that asks for a lot is refused (422) instead of run; a
# long deadline, so a busy test machine does not turn slow answers into 503s.
APP = create_app(Settings(max_work_seconds=0.5, request_seconds=120))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def test_every_operation_is_fuzzed():
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert ("POST", "/api/runs") in operations and ("POST", "/api/runs/batch") in operations
    assert ("GET", "/api/datasets/{dataset_id}") in operations
    assert len(operations) >= 11


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_documented(case):
    # A schema-valid request may still be refused with 422: ids are checked against the
    # registries, and some fields depend on each other (batch_size needs a data surface).
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
