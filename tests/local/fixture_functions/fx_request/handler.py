"""Fixture handler that keeps per-request state in a module global, as Powertools' resolver does."""

import threading

current_event = None
_inside = 0
_count = threading.Lock()


def lambda_handler(event, context):
    global current_event, _inside
    with _count:
        _inside += 1
        overlapping = _inside
    current_event = event
    # Enough work for the interpreter to switch threads mid-request many times over.
    checksum = sum(i * i for i in range(200_000))
    seen = current_event
    with _count:
        _inside -= 1
    return {"mine": seen == event, "overlapping": overlapping, "checksum": checksum % 7}
