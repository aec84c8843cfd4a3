"""The functions emit their metrics where the alarms look: the same namespace and service dimension."""

from infra.constructs.functions import METRICS_NAMESPACE, SERVICE_NAME
from oms.observability import NAMESPACE, SERVICE


def test_the_functions_metrics_are_where_the_alarms_look():
    assert (NAMESPACE, SERVICE) == (METRICS_NAMESPACE, SERVICE_NAME)
