"""Workflow tier: the synthesized state machine executing on moto, with the real handlers in-process."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from tests.scenario import Scenario, scenario

SES_ENDPOINT = "https://email.us-east-1.amazonaws.com"


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, executions=True) as running:
        yield running


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the metrics the functions emit, one entry per emission."""
    from oms.observability import metrics

    names: list[str] = []
    real = metrics.add_metric

    def add_metric(name: str, *args: Any, **kwargs: Any) -> None:
        names.append(name)
        real(name, *args, **kwargs)

    monkeypatch.setattr(metrics, "add_metric", add_metric)
    return names


@pytest.fixture
def throttle_ses_once(oms: Scenario) -> Iterator[list[str]]:
    """SES v2 answers the handlers' next SendEmail with TooManyRequestsException, as after the SDK's own
    retries gave up (the answer comes before any request is made); the calls are recorded. On the stack's
    clients, so after `oms` made them anew."""
    from oms import aws

    calls: list[str] = []

    def before_call(**_: Any) -> Any:
        calls.append("SendEmail")
        if len(calls) > 1:
            return None
        parsed = {"Error": {"Code": "TooManyRequestsException", "Message": "Too many requests"},
                  "ResponseMetadata": {"HTTPStatusCode": 429}}  # fmt: skip
        return AWSResponse(SES_ENDPOINT, 429, {}, None), parsed  # type: ignore[arg-type]

    events = aws.client("sesv2").meta.events
    events.register_first("before-call.sesv2.SendEmail", before_call, unique_id="throttle-ses-once")
    try:
        yield calls
    finally:
        events.unregister("before-call.sesv2.SendEmail", unique_id="throttle-ses-once")
