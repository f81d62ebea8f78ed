"""Property-based API test: schemathesis drives every operation of `/openapi.json`, as admin
and as a researcher, with valid and invalid inputs; no request may end in a 5xx."""

from __future__ import annotations

import contextlib
import time

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from aarlab.hub import HubClient

MAX_EXAMPLES = 25


def test_no_server_errors_over_the_whole_spec(hub: HubClient, alice: HubClient) -> None:
    app = hub._http.app  # type: ignore[attr-defined]  # the running app (lifespan started)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tokens = {"admin": hub._headers, "researcher": alice._headers}
    failures: list[str] = []
    n_calls = 0
    t0 = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20

    def exercise(op: schemathesis.APIOperation, mode: GenerationMode, who: str,
                 headers: dict[str, str]) -> None:
        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
        def run(case: schemathesis.Case) -> None:
            nonlocal n_calls
            response = case.call(headers=headers)
            n_calls += 1
            if response.status_code >= 500:
                failures.append(f"{who} {case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {case.body!r:.200}")

        with contextlib.suppress(hypothesis.errors.Unsatisfiable):
            run()  # Unsatisfiable: e.g. no invalid input exists for /healthz

    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for who, headers in tokens.items():
                exercise(op, mode, who, headers)
    print(f"\nschemathesis: {len(operations)} operations, {n_calls} calls, "
          f"{time.monotonic() - t0:.1f} s")
    assert not failures, "\n".join(failures[:20])


@pytest.fixture(autouse=True)
def _quiet_hub_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("CRITICAL", logger="aarlab.hub.app")
