"""moto's Step Functions executions: an exception on an execution's thread ends it FAILED, and harms no other."""

from __future__ import annotations

import contextlib
import datetime
import logging
from typing import Any

from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, ExecutionStatus, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from local.moto_fixes.patching import patch

log = logging.getLogger("local.moto_fixes")


def surface_interpreter_crashes() -> None:
    """Gap: moto runs each execution on a thread (`ExecutionWorker._execution_logic`) with no
    handler around it. An exception there (parsing the definition, building the environment,
    writing history, reflecting the end state) kills the thread and leaves the execution RUNNING
    for ever. Worse, `send_task_success`, `send_task_failure` and `send_task_heartbeat` ask every
    RUNNING execution's environment for the token: one whose thread died before its environment
    existed makes each of those calls raise AttributeError, so moto answers 500 to every later
    token call of every order, and the tracking endpoint answers 500 to every partner update. The
    same lookup also fails for a moment on each execution just started (its thread is still
    parsing the definition) and on one listed before `start()` has given it a status.
    AWS: an execution that cannot go on ends FAILED (`States.Runtime`, an ExecutionFailed event),
    and a token call concerns only the execution holding the token.
    Fix: the thread's body runs under a handler that records any exception as the execution's
    failure (status FAILED, `States.Runtime` with the exception as cause, ExecutionFailed in its
    history, its other threads told to stop); the token and map-run lookups skip executions that
    have no status or no environment yet, since none of those can hold a token.
    Remove when moto's ExecutionWorker ends an execution FAILED on an exception in its thread and
    `StepFunctionsParserBackend._get_executions` skips executions whose worker has no environment.
    """
    original = ExecutionWorker.__dict__["_execution_logic"]

    def _execution_logic(worker: ExecutionWorker) -> None:
        try:
            original(worker)
        except Exception as error:  # noqa: BLE001 - any exception here is the execution's failure
            log.error("an execution's interpreter thread raised %s: %s", type(error).__name__, error)
            _fail(worker, error)

    def _get_executions(backend: StepFunctionsParserBackend, execution_status: Any = None) -> list[Any]:
        executions: list[Any] = [
            execution for machine in list(backend.state_machines) for execution in machine.executions
        ]
        return [
            execution
            for execution in executions
            if execution.exec_status is not None
            and execution.exec_worker is not None
            and execution.exec_worker.env is not None
            and (execution_status is None or execution_status == execution.status)
        ]

    patch("surface_interpreter_crashes", ExecutionWorker, "_execution_logic", _execution_logic)
    patch("surface_interpreter_crashes", StepFunctionsParserBackend, "_get_executions", _get_executions)


def _fail(worker: ExecutionWorker, error: Exception) -> None:
    cause = f"{type(error).__name__}({error})"
    name = StatesErrorName(typ=StatesErrorNameType.StatesRuntime).error_name
    details = ExecutionFailedEventDetails(error=name, cause=cause)
    if worker.env is None:
        with contextlib.suppress(Exception):  # what failed may be building the environment itself
            worker.env = worker._get_evaluation_environment()
    env = worker.env
    execution = getattr(worker._execution_communication, "execution", None)
    if execution is None or execution.exec_status != ExecutionStatus.RUNNING:
        return
    if env is not None:
        env.set_error(details)
        with contextlib.suppress(Exception):
            env.event_manager.add_event(
                context=env.event_history_context,
                event_type=HistoryEventType.ExecutionFailed,
                event_details=EventDetails(executionFailedEventDetails=details),  # type: ignore[typeddict-item]
            )
    execution.error, execution.cause = name, cause
    execution.stop_date = datetime.datetime.now(tz=datetime.UTC)
    execution.exec_status = ExecutionStatus.FAILED
