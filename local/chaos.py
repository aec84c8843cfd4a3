"""Chaos in the local stack: a seeded fraction of the handlers' AWS calls fail as AWS fails under load,
and any Lambda invocation may be delivered twice.

`local/faults.py` fails one chosen transaction; this fails any call of the handlers at random, to see
what an order goes through when AWS is busy and delivers events more than once:

    with chaos(rate=0.1, seed=7, twice=True) as report:
        order = oms.placed()
    assert report.faults  # what failed: function, run, service, operation, error

`oms local --faults 0.1 --faults-seed 7 --twice` does the same for the whole server; `GET
/_local/chaos` answers the report.

**Which calls.** Only calls a handler makes while it runs: the thread is inside a run of the local
runtime (`local.runtime.invocations.current()`). The local stack's own calls (provisioning, the clock
firing schedules, Step Functions invoking a step, EventBridge delivering) and a test's reads never fail;
nor would calls a handler made on threads of its own (OMS's handlers start none).

**How a call fails.** A `before-call` hook on every botocore client, put in botocore's built-in handlers
the way moto puts its own, answers the call with the error AWS gives under load before the request
is built into HTTP: the request never reaches moto, so a failed call changes nothing, as a throttled
call or a cancelled transaction changes nothing on AWS. The rate is per attempt, as AWS throttles
requests: an error botocore's standard retry mode retries (throttling, `ProvisionedThroughputExceeded`,
`TooManyRequests`) is drawn again for each of the SDK's attempts (`oms.aws.SDK_MAX_ATTEMPTS`, without
its backoff's wait), and reaches the handler only when every attempt failed; the rest (a conflict, a
cancelled transaction) reach it at once, as they do on AWS. `Fault.reached` tells which. What each
service answers is `KINDS`: DynamoDB `ThrottlingException` and
`ProvisionedThroughputExceededException` on any call, `TransactionConflictException` on a single-item
write, `TransactionCanceledException` with a `TransactionConflict` or `ThrottlingError` reason on
`TransactWriteItems`; SES v2 `TooManyRequestsException`; Scheduler, Step Functions (`SendTaskSuccess`,
`StartExecution`, ...), Secrets Manager and EventBridge `ThrottlingException`.

**Reproducible.** Each run of a handler draws from its own generator, seeded by the seed, the function
and the run's number among that function's runs since the chaos opened (runs of one function take
turns, so the numbers follow the order the runs happened). The same seed and the same requests give
the same faults, even while other functions run side by side; one more run of a function changes
only that function's later runs. `Fault.run` and `Duplicate.first`/`second` are these numbers.

**Twice.** With `twice` (True, or the fraction of runs), a run's event is delivered again right after
it ends, with the same request id: at-least-once delivery, as Lambda retries an asynchronous event,
EventBridge and Scheduler deliver one event more than once and Step Functions may run a task again. A
`.waitForTaskToken` step's duplicate carries the same task token. The caller always gets the first
run's answer: an API client's response, a state-machine task's result. For a task this models a
duplicate run whose result nobody reads (Step Functions records one result per task), and it keeps the
execution's path the one the first run chose, so the duplicate shows its harm as side effects (a
second email, a second reservation) rather than as a different path. Whether the second run answered
the same is in the report (`Duplicate.same_answer`), for a test that wants the replay to agree.
"""

from __future__ import annotations

import io
import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.handlers import BUILTIN_HANDLERS

from local.runtime import invocations
from local.runtime.invocations import Invocation, Outcome
from oms.aws import SDK_MAX_ATTEMPTS

# The errors of `KINDS` botocore's standard retry mode retries itself (its throttling codes).
SDK_RETRIED = frozenset({"ThrottlingException", "ProvisionedThroughputExceededException", "TooManyRequestsException"})


@dataclass(frozen=True)
class FaultKind:
    """One way a service fails under load: the error code (and a cancelled transaction's reason)."""

    service: str
    error: str
    status: int
    message: str
    reason: str | None = None
    # None: every operation of the service.
    operations: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return self.reason or self.error

    def applies(self, service: str, operation: str) -> bool:
        return service == self.service and (self.operations is None or operation in self.operations)


_RATE = "Rate exceeded"
_BUSY = "Throughput exceeds the current capacity of your table or index. Please try again shortly."
_PROVISIONED = "The level of configured provisioned throughput for the table was exceeded."
_ONGOING = "Transaction is ongoing for the item"
_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
_TRANSACTION = frozenset({"TransactWriteItems"})

KINDS: tuple[FaultKind, ...] = (
    FaultKind("dynamodb", "ThrottlingException", 400, _BUSY),
    FaultKind("dynamodb", "ProvisionedThroughputExceededException", 400, _PROVISIONED),
    FaultKind("dynamodb", "TransactionConflictException", 400, _ONGOING, None, _WRITES),
    FaultKind("dynamodb", "TransactionCanceledException", 400, _ONGOING, "TransactionConflict", _TRANSACTION),
    FaultKind("dynamodb", "TransactionCanceledException", 400, _BUSY, "ThrottlingError", _TRANSACTION),
    FaultKind("sesv2", "TooManyRequestsException", 429, "Maximum sending rate exceeded."),
    FaultKind("scheduler", "ThrottlingException", 429, _RATE),
    FaultKind("stepfunctions", "ThrottlingException", 400, _RATE),
    FaultKind("secretsmanager", "ThrottlingException", 400, _RATE),
    FaultKind("events", "ThrottlingException", 400, _RATE),
)


@dataclass(frozen=True)
class Fault:
    """One injected failure: whose call it was (function, its run) and how it failed."""

    function: str
    run: int
    service: str
    operation: str
    error: str
    reason: str | None = None
    # The handler saw it: the SDK does not retry this error, or its last attempt failed too.
    reached: bool = True


@dataclass(frozen=True)
class Duplicate:
    """One event delivered twice: the function, its two runs, and how each ended."""

    function: str
    first: int
    second: int
    first_errored: bool
    second_errored: bool
    # The second run answered what the first did (for a `.waitForTaskToken` step, its return value).
    same_answer: bool
    second_error: str | None = None


@dataclass
class ChaosReport:
    """What the chaos did: every fault injected, every event delivered twice, every run per function."""

    rate: float
    seed: int
    twice: float
    faults: list[Fault] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    runs: Counter[str] = field(default_factory=Counter)

    def count(
        self, service: str | None = None, error: str | None = None, function: str | None = None, reached: bool = True
    ) -> int:
        """Faults of a service, an error (code or cancellation reason) and a function that reached the
        handler (with `reached=False`, every failed attempt too); None matches all."""
        return sum(
            1
            for fault in self.faults
            if (fault.reached or not reached)
            and (service is None or fault.service == service)
            and (error is None or error in (fault.error, fault.reason))
            and (function is None or fault.function == function)
        )

    def kinds(self) -> Counter[str]:
        """`service:error` (or `service:reason` for a cancelled transaction) -> how many were injected."""
        return Counter(f"{fault.service}:{fault.reason or fault.error}" for fault in self.faults)

    def as_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "seed": self.seed,
            "twice": self.twice,
            "kinds": dict(self.kinds()),
            "runs": dict(self.runs),
            "faults": [asdict(fault) for fault in list(self.faults)],
            "duplicates": [asdict(duplicate) for duplicate in list(self.duplicates)],
        }


class Chaos:
    """The runtime's watcher and the clients' hook while `chaos(...)` is open."""

    def __init__(self, report: ChaosReport, kinds: tuple[FaultKind, ...]) -> None:
        self.report = report
        self.kinds = kinds
        self._lock = threading.Lock()
        # Each run open now: its number among its function's runs since the chaos opened, its draws.
        self._runs: dict[Invocation, tuple[int, random.Random]] = {}
        # First runs whose event goes again: (function, runtime ordinal) -> (number, outcome).
        self._again: dict[tuple[str, int], tuple[int, Outcome]] = {}

    # --- the runtime's watcher (called under the function's environment lock) ---------------------

    def started(self, invocation: Invocation) -> None:
        with self._lock:
            self.report.runs[invocation.function] += 1
            number = self.report.runs[invocation.function]
            self._runs[invocation] = (number, self._generator("calls", invocation.function, number))

    def finished(self, invocation: Invocation, outcome: Outcome) -> bool:
        with self._lock:
            number, _ = self._runs.pop(invocation)
            if invocation.repeat_of is not None:
                first, first_outcome = self._again.pop((invocation.function, invocation.repeat_of))
                self.report.duplicates.append(_duplicate(invocation.function, first, first_outcome, number, outcome))
                return False
            twice = self.report.twice
            again = twice > 0 and self._generator("twice", invocation.function, number).random() < twice
            if again:
                self._again[(invocation.function, invocation.ordinal)] = (number, outcome)
            return again

    # --- the clients' hook ------------------------------------------------------------------------

    def fault(self, invocation: Invocation, service: str, operation: str) -> FaultKind | None:
        """Whether this call of the run fails after the SDK's retries, and how; each attempt the SDK would
        make takes one draw (and the kind of a failed one, another)."""
        candidates = [kind for kind in self.kinds if kind.applies(service, operation)]
        run = self._runs.get(invocation)
        if not candidates or run is None or self.report.rate <= 0:
            return None
        number, draws = run
        for attempt in range(1, SDK_MAX_ATTEMPTS + 1):
            if draws.random() >= self.report.rate:
                return None
            kind = candidates[draws.randrange(len(candidates))]
            reached = kind.error not in SDK_RETRIED or attempt == SDK_MAX_ATTEMPTS
            with self._lock:
                self.report.faults.append(
                    Fault(invocation.function, number, service, operation, kind.error, kind.reason, reached)
                )
            if reached:
                return kind
        return None

    def _generator(self, purpose: str, function: str, number: int) -> random.Random:
        # A string seeds through SHA-512: the same in every process, whatever PYTHONHASHSEED says.
        return random.Random(f"{self.report.seed}:{purpose}:{function}:{number}")  # noqa: S311


def _duplicate(function: str, first: int, first_outcome: Outcome, second: int, outcome: Outcome) -> Duplicate:
    (first_payload, first_errored, _), (second_payload, second_errored, _) = first_outcome, outcome
    return Duplicate(
        function=function,
        first=first,
        second=second,
        first_errored=first_errored,
        second_errored=second_errored,
        same_answer=(first_errored, _answer(first_payload)) == (second_errored, _answer(second_payload)),
        second_error=json.loads(second_payload).get("errorType") if second_errored else None,
    )


def _answer(payload: str) -> Any:
    answer = json.loads(payload)
    # An error's stack trace differs by line numbers even when the error is the same one.
    return {k: v for k, v in answer.items() if k != "stackTrace"} if isinstance(answer, dict) else answer


_active: Chaos | None = None


def _before_call(model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
    """botocore's `before-call`: a response returned here is the call's answer, and no request is sent."""
    active, invocation = _active, invocations.current()
    if active is None or invocation is None:
        return None
    service, operation = model.service_model.service_name, model.name
    kind = active.fault(invocation, service, operation)
    if kind is None:
        return None
    return _error_response(kind, params)


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _error_response(kind: FaultKind, request: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
    """What botocore would have parsed from AWS's error answer, and the HTTP response it came in."""
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": kind.error}
    error = {"Code": kind.error, "Message": kind.message}
    parsed: dict[str, Any] = {
        "Error": error,
        "ResponseMetadata": {
            "RequestId": request_id,
            "HTTPStatusCode": kind.status,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
        },
    }
    if kind.reason is not None:
        # The reason is given for the first item; DynamoDB answers one reason per item, in order.
        others = len(json.loads(request.get("body") or b"{}").get("TransactItems") or [None]) - 1
        codes = ", ".join([kind.reason] + ["None"] * others)
        error["Message"] = f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
        parsed["CancellationReasons"] = [{"Code": kind.reason, "Message": kind.message}] + [{"Code": "None"}] * others
    http_headers = HTTPHeaders()
    for name, value in headers.items():
        http_headers[name] = value
    return AWSResponse(request.get("url", ""), kind.status, http_headers, _Body(b"")), parsed


def hook_clients() -> None:
    """Put the hook in botocore's built-in handlers, once: every client made from then on carries it.

    It does nothing while no chaos is open. The local stack calls this before it provisions, so every
    handler's client (made inside the stack) has it."""
    if ("before-call", _before_call) not in BUILTIN_HANDLERS:
        BUILTIN_HANDLERS.append(("before-call", _before_call))


def _kinds(services: Iterable[str] | None, errors: Iterable[str] | None) -> tuple[FaultKind, ...]:
    """The kinds of the services and errors (codes or cancellation reasons) asked for; None: all."""
    known_services = {kind.service for kind in KINDS}
    known_errors = {name for kind in KINDS for name in (kind.error, kind.name)}
    services = None if services is None else set(services)
    errors = None if errors is None else set(errors)
    unknown = ((services or set()) - known_services) | ((errors or set()) - known_errors)
    if unknown:
        raise ValueError(f"no fault kind for {sorted(unknown)}; known: {sorted(known_services | known_errors)}")
    return tuple(
        kind
        for kind in KINDS
        if (services is None or kind.service in services) and (errors is None or {kind.error, kind.name} & errors)
    )


@contextmanager
def chaos(
    rate: float = 0.0,
    seed: int = 0,
    twice: bool | float = False,
    services: Iterable[str] | None = None,
    errors: Iterable[str] | None = None,
) -> Iterator[ChaosReport]:
    """While open, each AWS call a handler makes fails with probability `rate` as AWS fails under load,
    and each run's event is delivered again with probability `twice` (True: every run).

    `services` (`dynamodb`, `sesv2`, ...) and `errors` (`ThrottlingException`, `TransactionConflict`, ...)
    narrow the kinds of `KINDS` that may be injected. Yields the report, filled as things happen."""
    global _active
    twice = 1.0 if twice is True else float(twice)
    for name, value in (("rate", rate), ("twice", twice)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} is a fraction from 0 to 1, not {value}")
    engine = Chaos(ChaosReport(rate=float(rate), seed=seed, twice=twice), _kinds(services, errors))
    hook_clients()
    with invocations.watched(engine):
        _active = engine
        try:
            yield engine.report
        finally:
            _active = None
