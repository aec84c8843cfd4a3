"""A failed step's error becomes a public reason code: the outside never sees an exception's text."""

import pytest

from oms.fulfilment.compensate import public_reason


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ({"Error": "OrderNotFound", "Cause": '{"errorMessage": "No order X", "stackTrace": []}'}, "order_not_found"),
        ({"Error": "ShipmentNotFound"}, "shipment_not_found"),
        ({"Error": "TransientError"}, "dependency_unavailable"),
        ({"Error": "EmailConfigurationError"}, "email_unavailable"),
        ({"Error": "States.Timeout"}, "step_timed_out"),
        ({"Error": "Lambda.ServiceException"}, "step_unavailable"),
        ({"Error": "KeyError", "Cause": "'lines' at line 3"}, "internal_error"),
        (None, "internal_error"),
    ],
)
def test_a_step_error_reads_as_a_public_reason(error, reason):
    assert public_reason(error) == reason
