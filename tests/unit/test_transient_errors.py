"""Which AWS failures are worth trying again, decided in one place for every service: throttling, a 5xx,
a connection that failed or timed out leave every client as TransientError; anything else stays itself."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from oms import aws
from oms.errors import TransientError

URL = "https://email.us-east-1.amazonaws.com"


def _client_error(code: str, status: int) -> ClientError:
    response = {"Error": {"Code": code, "Message": "..."}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "Op")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "error",
    [
        _client_error("ThrottlingException", 400),
        _client_error("TooManyRequestsException", 429),
        _client_error("LimitExceededException", 400),
        _client_error("ProvisionedThroughputExceededException", 400),
        _client_error("TransactionConflictException", 400),
        _client_error("InternalFailure", 500),
        _client_error("ServiceUnavailable", 503),
        _client_error("SomethingNewOnTheServerSide", 502),
        EndpointConnectionError(endpoint_url=URL),
        ConnectTimeoutError(endpoint_url=URL),
        ReadTimeoutError(endpoint_url=URL),
        ConnectionClosedError(endpoint_url=URL),
    ],
    ids=lambda error: aws.error_code(error) if isinstance(error, ClientError) else type(error).__name__,
)
def test_throttling_server_faults_and_lost_connections_are_transient(error: Exception) -> None:
    assert aws.transient(error)


@pytest.mark.parametrize(
    "error",
    [
        _client_error("MessageRejected", 400),
        _client_error("BadRequestException", 400),
        _client_error("AccountSuspendedException", 400),
        _client_error("ConditionalCheckFailedException", 400),
        _client_error("ValidationException", 400),
        _client_error("AccessDeniedException", 403),
        ValueError("a bug"),
    ],
    ids=lambda error: aws.error_code(error) if isinstance(error, ClientError) else type(error).__name__,
)
def test_refusals_and_bugs_are_not_transient(error: Exception) -> None:
    assert not aws.transient(error)


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """What the next SES v2 call answers, before any request is built: no network, no SDK retries."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")
    aws.reset()
    answers: list[Any] = []

    def before_call(**_: Any) -> Any:
        found = answers.pop(0)
        if isinstance(found, Exception):
            raise found
        return found

    aws.client("sesv2").meta.events.register_first("before-call.sesv2.SendEmail", before_call)
    yield answers
    aws.reset()


def _send() -> Any:
    return aws.client("sesv2").send_email(
        FromEmailAddress="orders@merchant.example",
        Destination={"ToAddresses": ["ada@example.com"]},
        Content={"Raw": {"Data": b"Subject: hi\r\n\r\nhi"}},
    )


def _http_error(code: str, status: int) -> tuple[AWSResponse, dict[str, Any]]:
    parsed = {"Error": {"Code": code, "Message": "..."}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return AWSResponse(URL, status, {}, None), parsed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "failure",
    [
        _http_error("TooManyRequestsException", 429),
        _http_error("InternalFailure", 500),
        ReadTimeoutError(endpoint_url=URL),
    ],
    ids=["throttled", "server fault", "read timeout"],
)
def test_a_client_raises_a_transient_failure_as_transient_error(answer: list[Any], failure: Any) -> None:
    answer.append(failure)

    with pytest.raises(TransientError, match="sesv2 SendEmail"):
        _send()


def test_a_client_raises_a_refusal_as_it_is(answer: list[Any]) -> None:
    answer.append(_http_error("MessageRejected", 400))

    with pytest.raises(ClientError) as refused:
        _send()

    assert aws.error_code(refused.value) == "MessageRejected"
    assert not isinstance(refused.value, TransientError)
