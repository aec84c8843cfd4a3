"""`oms local --faults --twice` as a user runs it: the handlers' calls fail, events go twice, the report says so."""

from local.cli import EXAMPLE_ORDER
from tests.e2e.conftest import running_oms_local


def test_oms_local_with_faults_and_twice_fails_handler_calls_and_reports_them() -> None:
    with running_oms_local("--faults", "0.5", "--faults-seed", "3", "--twice") as oms:
        placed = oms.call("POST", "/orders", {**EXAMPLE_ORDER, "external_ref": "SHOP-CHAOS-1"})
        oms.settle()
        report = oms.chaos()

    assert placed.status in (202, 503)
    assert (report["rate"], report["seed"], report["twice"]) == (0.5, 3, 1.0)
    assert report["faults"]
    assert {fault["function"] for fault in report["faults"]} <= set(report["runs"])
    assert report["runs"]["PlaceOrderFunction"] == 2
    assert any(duplicate["function"] == "PlaceOrderFunction" for duplicate in report["duplicates"])


def test_oms_local_without_the_flags_has_no_chaos(oms_local) -> None:
    answer = oms_local.call("GET", "/_local/chaos", key=None)

    assert (answer.status, answer.error_code) == (404, "not_found")
