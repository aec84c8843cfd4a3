"""The functions' logger logs as the stack configures it, even when it was built before the stack existed (a first
synthesis imports the domain, and with it the logger, before the functions' environment is set)."""

import json
import logging
from typing import Any

from oms.observability import logger
from tests.scenario import scenario


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_a_logger_built_before_the_stack_takes_the_functions_level_and_service(template: dict[str, Any]) -> None:
    # As a logger built with no environment is: Powertools' defaults.
    logger.setLevel(logging.INFO)
    logger.append_keys(service="service_undefined")
    kept = _Kept()
    kept.setFormatter(logger.registered_formatter)
    logger.addHandler(kept)
    try:
        with scenario(template):
            logger.info("chatter")
            logger.warning("worth reading")
    finally:
        logger.removeHandler(kept)

    assert [(line["level"], line["message"], line["service"]) for line in kept.lines] == [
        ("WARNING", "worth reading", "oms")
    ]
