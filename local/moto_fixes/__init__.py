"""Every fix of a moto gap the local stack needs, one module per service area, each named, explained,
revertible and written for one moto version (MOTO_VERSION): applying them on another fails loudly.

Each fix's docstring says the gap, what AWS does, what the fix does, and when the fix can go.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import moto

from local.moto_fixes.awslambda import retry_failed_async_invocations
from local.moto_fixes.dynamodb import (
    DYNAMODB_LOCK,
    answer_item_results_as_json,
    back_up_touched_items_only,
    query_one_partition,
    serialise_dynamodb,
)
from local.moto_fixes.eventbridge import deliver_eventbridge_targets
from local.moto_fixes.patching import applied, undo
from local.moto_fixes.ses import stamp_ses_send_time
from local.moto_fixes.sqs import drop_expired_messages, leave_sqs_mappings_to_the_poller, sqs_on_local_clock
from local.moto_fixes.stepfunctions import (
    clear_recorded_sleeps,
    clock_driven_sleeps,
    definite_json_paths,
    recorded_sleeps,
    set_sleep_mode,
    sleep_on_local_clock,
    wake_sleepers,
)
from local.moto_fixes.stepfunctions_executions import surface_interpreter_crashes

MOTO_VERSION = "5.2.5"
# Set to 1 to apply the fixes on another moto version anyway (with a warning), e.g. to try an upgrade.
ANY_VERSION_VARIABLE = "OMS_MOTO_FIXES_ANY_VERSION"

# Order matters: serialise_dynamodb wraps what the fixes before it put in place.
FIXES: tuple[Callable[[], None], ...] = (
    back_up_touched_items_only,
    query_one_partition,
    serialise_dynamodb,
    answer_item_results_as_json,
    deliver_eventbridge_targets,
    clock_driven_sleeps,
    definite_json_paths,
    surface_interpreter_crashes,
    stamp_ses_send_time,
    retry_failed_async_invocations,
    sqs_on_local_clock,
    drop_expired_messages,
    leave_sqs_mappings_to_the_poller,
)

__all__ = [
    "DYNAMODB_LOCK",
    "FIXES",
    "MOTO_VERSION",
    "MotoVersionMismatch",
    "applied",
    "apply_all",
    "check_moto_version",
    "clear_recorded_sleeps",
    "recorded_sleeps",
    "set_sleep_mode",
    "sleep_on_local_clock",
    "undo",
    "wake_sleepers",
    *(fix.__name__ for fix in FIXES),
]


class MotoVersionMismatch(RuntimeError):
    """The installed moto is not the version the fixes were written for."""


def check_moto_version(installed: str | None = None) -> None:
    """Refuse to patch a moto the fixes were not written for.

    Failing is safer than warning: every fix replaces private moto code (backend methods, a
    function's code object, interpreter internals). On another version a replaced method may have
    changed shape, and a fix that still applies could silently bring a gap back (DynamoDB
    overselling stock, executions stuck RUNNING) instead of failing where it shows. So a mismatch
    raises, naming both versions; whoever tries an upgrade sets OMS_MOTO_FIXES_ANY_VERSION=1 to
    run anyway with a warning, runs the fixes' tests, and updates MOTO_VERSION once they pass.
    """
    installed = installed or moto.__version__
    if installed == MOTO_VERSION:
        return
    message = (
        f"local.moto_fixes were written for moto {MOTO_VERSION} but moto {installed} is installed; "
        f"check each fix against moto {installed} (tests/local/test_moto_fixes*.py) and update MOTO_VERSION"
    )
    if os.environ.get(ANY_VERSION_VARIABLE) == "1":
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        return
    raise MotoVersionMismatch(f"{message}, or set {ANY_VERSION_VARIABLE}=1 to try them anyway")


def apply_all() -> None:
    """Apply every fix not applied yet; safe to call more than once. Checks moto's version first."""
    check_moto_version()
    for fix in FIXES:
        if fix.__name__ not in applied():
            fix()
