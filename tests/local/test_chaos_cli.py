"""`oms local --faults RATE --faults-seed N --twice [RATE]`: parsed, printed, and served at `/_local/chaos`."""

from __future__ import annotations

import json
import urllib.request

import pytest

from local.api.server import start
from local.chaos import ChaosReport, Fault
from local.cli import banner, parser
from tests.scenario import DEFAULT_SEED


def test_the_flags_default_to_no_chaos() -> None:
    args = parser().parse_args(["local"])

    assert (args.faults, args.faults_seed, args.twice) == (0.0, 0, 0.0)


def test_faults_take_a_rate_and_a_seed_and_twice_alone_means_every_invocation() -> None:
    args = parser().parse_args(["local", "--faults", "0.1", "--faults-seed", "7", "--twice"])

    assert (args.faults, args.faults_seed, args.twice) == (0.1, 7, 1.0)
    assert parser().parse_args(["local", "--twice", "0.25"]).twice == 0.25


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "often", "nan"])
def test_a_rate_that_is_not_a_fraction_is_refused(rate: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["local", "--faults", rate])

    assert exited.value.code == 2
    assert "not a fraction from 0 to 1" in capsys.readouterr().err


def test_the_banner_says_what_chaos_runs_and_where_its_report_is() -> None:
    quiet = banner("http://127.0.0.1:3000", DEFAULT_SEED)
    chaotic = banner("http://127.0.0.1:3000", DEFAULT_SEED, chaos=ChaosReport(rate=0.1, seed=7, twice=1.0))

    assert "chaos" not in quiet
    assert "10% of the handlers' AWS calls fail (seed 7), 100% of invocations delivered twice" in chaotic
    assert "GET  http://127.0.0.1:3000/_local/chaos" in chaotic


class _Quiet:
    def outbox(self) -> list[dict]:
        return []

    def advance(self, seconds: float) -> dict:
        return {}

    def handle(self, *args: object, **kwargs: object) -> tuple[int, dict[str, str], bytes]:
        return 404, {}, b"{}"


def test_the_server_serves_the_chaos_report() -> None:
    report = ChaosReport(rate=0.1, seed=7, twice=0.0)
    report.faults.append(Fault("TrackingFunction", 3, "dynamodb", "Query", "ThrottlingException"))
    report.runs["TrackingFunction"] = 3
    server = start(_Quiet(), _Quiet())
    server.attach(_Quiet(), _Quiet(), chaos=report)
    try:
        with urllib.request.urlopen(server.url + "/_local/chaos", timeout=10) as response:
            served = json.loads(response.read())
    finally:
        server.stop()

    assert served["kinds"] == {"dynamodb:ThrottlingException": 1}
    assert served["runs"] == {"TrackingFunction": 3}
    assert served["faults"][0]["operation"] == "Query"
