"""Run every Lambda invocation in this process by importing the handler the template names."""

from __future__ import annotations

import copy
import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction

from local.aws.template import ACCOUNT_ID, REGION
from local.runtime import invocations, settle
from local.runtime.invocations import Invocation, Outcome

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"

# Keep Powertools offline and quiet; a value given by the template or the settings wins.
LOCAL_DEFAULTS = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
# Per-function values that cannot be one value in a shared process.
PER_FUNCTION_NAMES = {"POWERTOOLS_SERVICE_NAME"}
SHARED_SERVICE_NAME = "oms"

log = logging.getLogger("local.lambda")


class ConflictingEnvironment(ValueError):
    """Two functions give one environment variable different values: one process cannot host both."""


class FunctionError(RuntimeError):
    """A handler raised: the Lambda error payload, as a caller on AWS would see it."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(f"{payload.get('errorType')}: {payload.get('errorMessage')}")
        self.payload = payload


@dataclass(frozen=True)
class FunctionSpec:
    """What the template says about one Python function."""

    logical_id: str
    name: str
    handler: str
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout: int = 3
    memory_size: int = 128

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"

    @property
    def folder(self) -> str:
        return self.handler.split(".", 1)[0]


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    _started: float = field(default_factory=time.monotonic)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def union_environment(functions: Iterable[FunctionSpec], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every function's environment as one: the same name must mean the same value everywhere."""
    merged: dict[str, str] = dict(LOCAL_DEFAULTS)
    owners: dict[str, str] = {}
    overrides = dict(overrides or {})
    for spec in functions:
        for name, value in spec.environment.items():
            if name in PER_FUNCTION_NAMES or name in overrides:
                continue
            value = str(value)
            if name in owners and merged[name] != value:
                raise ConflictingEnvironment(
                    f"{name} is {merged[name]!r} in {owners[name]} but {value!r} in {spec.logical_id}"
                )
            merged[name], owners[name] = value, spec.logical_id
    merged["POWERTOOLS_SERVICE_NAME"] = SHARED_SERVICE_NAME
    merged.update({name: str(value) for name, value in overrides.items()})
    return merged


class LambdaRuntime:
    """Hosts the template's Python functions in this process and answers moto's Lambda invocations."""

    def __init__(
        self,
        functions: Iterable[FunctionSpec],
        code_paths: Iterable[Path] = (FUNCTIONS_DIR,),
        settings_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.functions = {spec.logical_id: spec for spec in functions}
        self._by_name = {spec.name: spec for spec in self.functions.values()}
        self.code_paths = [str(path) for path in code_paths]
        self.env = union_environment(self.functions.values(), settings_overrides)
        self._saved_env: dict[str, str | None] = {}
        self._saved_invoke: Any = None
        self._environments: dict[str, threading.Lock] = {}
        self._environments_lock = threading.Lock()
        # Runs per function so far; each count moves only under its function's environment lock.
        self._runs: dict[str, int] = {}

    def install(self) -> None:
        """Set the shared environment and make moto run invocations here instead of in Docker."""
        self._add_code_paths()
        # With metrics disabled locally, a handler that emits none is expected, not news.
        warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
        for name, value in self.env.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        self._saved_invoke = LambdaFunction.__dict__["_invoke_lambda"]
        runtime = self

        def _invoke_lambda(function: LambdaFunction, event: Any = None) -> Outcome:
            spec = runtime._by_name.get(function.function_name)
            if spec is None:
                return (
                    json.dumps(
                        {
                            "errorType": "Runtime.NotHosted",
                            "errorMessage": f"{function.function_name} is not a local function",
                        }
                    ),
                    True,
                    "",
                )
            return runtime.run(spec, event)

        LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._saved_invoke is not None:
            LambdaFunction._invoke_lambda = self._saved_invoke  # type: ignore[method-assign]
            self._saved_invoke = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def spec(self, logical_id_or_folder: str) -> FunctionSpec:
        """A function by its logical id, physical name or handler folder (`place_order`)."""
        if logical_id_or_folder in self.functions:
            return self.functions[logical_id_or_folder]
        if logical_id_or_folder in self._by_name:
            return self._by_name[logical_id_or_folder]
        matches = [spec for spec in self.functions.values() if spec.folder == logical_id_or_folder]
        if len(matches) != 1:
            raise KeyError(f"no single function named {logical_id_or_folder!r}; known: {sorted(self.functions)}")
        return matches[0]

    def invoke(self, logical_id_or_folder: str, event: Any) -> Any:
        """Invoke a function directly, as API Gateway's proxy integration does; FunctionError if it raised."""
        payload, errored, _ = self.run(self.spec(logical_id_or_folder), event)
        result = json.loads(payload)
        if errored:
            raise FunctionError(result)
        return result

    def run(self, spec: FunctionSpec, event: Any) -> Outcome:
        """One invocation: (payload JSON, errored, logs) as moto's Lambda expects from a container.

        A watcher may have the same event delivered a second time right after the first, as Lambda and
        Step Functions may deliver one event more than once; the caller always gets the first answer."""
        if isinstance(event, str | bytes):
            event = json.loads(event or "{}")
        # A handler may change the event it was given; a second delivery carries the event as sent.
        as_sent = copy.deepcopy(event) if invocations.watcher() is not None else event
        with settle.in_flight():
            outcome, again = self._run_once(spec, event, request_id=str(uuid.uuid4()))
            if again is not None:
                # A redelivered event keeps its request id, as Lambda's own retry of an event does.
                self._run_once(spec, as_sent, request_id=again.request_id, repeat_of=again)
        return outcome

    def _run_once(
        self, spec: FunctionSpec, event: Any, request_id: str, repeat_of: Invocation | None = None
    ) -> tuple[Outcome, Invocation | None]:
        """Run the handler once; the outcome, and this run when the watcher wants its event again."""
        context = LambdaContext(
            function_name=spec.name,
            invoked_function_arn=spec.arn,
            memory_limit_in_mb=spec.memory_size,
            timeout_seconds=spec.timeout,
            aws_request_id=request_id,
        )
        watcher = invocations.watcher()
        with self._environment(spec):
            self._runs[spec.logical_id] = ordinal = self._runs.get(spec.logical_id, 0) + 1
            invocation = Invocation(spec.logical_id, ordinal, request_id, repeat_of.ordinal if repeat_of else None)
            if watcher is not None:
                watcher.started(invocation)
            with invocations.running(invocation):
                outcome = self._call(spec, event, context)
            again = watcher is not None and watcher.finished(invocation, outcome) and repeat_of is None
        return outcome, invocation if again else None

    def _call(self, spec: FunctionSpec, event: Any, context: LambdaContext) -> Outcome:
        try:
            handler = self._handler(spec)
            result = handler(event, context)
        except Exception as error:  # noqa: BLE001 - every failure becomes a Lambda error
            log.warning(
                "%s raised %s: %s",
                spec.logical_id,
                type(error).__name__,
                error,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            return json.dumps(_error_payload(error)), True, traceback.format_exc()
        try:
            return json.dumps(result), False, ""
        except (TypeError, ValueError) as error:
            payload = {"errorType": "Runtime.MarshalError", "errorMessage": f"Unable to marshal response: {error}"}
            return json.dumps(payload), True, ""

    def _environment(self, spec: FunctionSpec) -> threading.Lock:
        """The one execution environment of a handler module: its invocations run one at a time.

        On Lambda an execution environment serves one request at a time, and handler modules keep
        per-request state in globals (Powertools' resolver holds `current_event`, the logger its
        keys). Here every invocation shares the module, so concurrent ones must take turns, as if
        the function had one warm environment; different functions still run side by side.
        """
        module = spec.handler.rpartition(".")[0]
        try:
            shares_resolver_state = _holds_event_resolver(self._module(spec))
        except Exception:  # noqa: BLE001 - the run reports the import's failure as a Lambda error
            shares_resolver_state = False
        if shares_resolver_state:
            # Powertools keeps a resolver's current event and context on its class (`BaseRouter`), shared by
            # every handler module in the process: on Lambda one function owns the process, here every API
            # function does, so those take turns with each other too.
            module = _EVENT_RESOLVERS
        with self._environments_lock:
            return self._environments.setdefault(module, threading.Lock())

    def _add_code_paths(self) -> None:
        for path in reversed(self.code_paths):
            if path not in sys.path:
                sys.path.insert(0, path)

    def _module(self, spec: FunctionSpec) -> Any:
        self._add_code_paths()
        return importlib.import_module(spec.handler.rpartition(".")[0])

    def _handler(self, spec: FunctionSpec) -> Any:
        return getattr(self._module(spec), spec.handler.rpartition(".")[2])


_EVENT_RESOLVERS = "<Powertools event resolvers>"


def _holds_event_resolver(module: Any) -> bool:
    """Whether a handler module keeps a Powertools event handler (REST, HTTP API, ALB... resolvers)."""
    try:
        from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
    except ImportError:  # pragma: no cover - Powertools is a dependency of every OMS function
        return False
    return any(isinstance(value, BaseRouter) for value in vars(module).values())


def _error_payload(error: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_tb(error.__traceback__),
    }
