"""Only oms/repository/ knows the tables: their keys, expressions and how a transaction was refused."""

import re
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
REPOSITORY = FUNCTIONS / "oms" / "repository"
TABLE_KNOWLEDGE = {
    "a key format": re.compile(
        r"""["'](ORDERS?|SHIPMENT|EVENT|EMAIL|REF|PARTNER|SKU|LOC|PRODUCT|BACKORDER|LISTING|MOVE|LEDGER)#"""
    ),
    "a key attribute": re.compile(r"""["'](PK|SK|GSI\d+PK|GSI\d+SK|LEDGERPK|LEDGERSK)["']\s*[:\]]"""),
    "an expression": re.compile(r"(Update|Condition|KeyCondition|Filter|Projection)Expression|ExpressionAttribute"),
    "a transaction call": re.compile(r"transact_write_items|TransactItems"),
    "cancellation reasons": re.compile(r"CancellationReasons|ConditionalCheckFailed|TransactionCanceled"),
}


def _outside_the_repository() -> list[Path]:
    return sorted(p for p in FUNCTIONS.rglob("*.py") if REPOSITORY not in p.parents)


@pytest.mark.parametrize("what", sorted(TABLE_KNOWLEDGE))
def test_no_code_outside_the_repository_knows_the_tables(what):
    pattern = TABLE_KNOWLEDGE[what]
    found = [
        f"{path.relative_to(FUNCTIONS)}:{number}: {line.strip()}"
        for path in _outside_the_repository()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]

    assert found == [], f"{what} outside oms/repository/"


def test_the_check_reads_the_code_it_guards():
    files = {p.relative_to(FUNCTIONS).as_posix() for p in _outside_the_repository()}

    assert {"oms/tracking.py", "oms/fulfilment/allocate.py", "place_order/handler.py"} <= files
    assert TABLE_KNOWLEDGE["a key format"].search('f"ORDER#{order_id}"')
    assert TABLE_KNOWLEDGE["a key attribute"].search('item["SK"] == "ORDER"')
    assert TABLE_KNOWLEDGE["a key attribute"].search('{"PK": pk}')
    assert TABLE_KNOWLEDGE["a key attribute"].search('{"GSI3PK": pk}')
    assert TABLE_KNOWLEDGE["a key format"].search('f"ORDERS#{status}"')
    assert not TABLE_KNOWLEDGE["a key attribute"].search('["PK", "PL"]')  # Pakistan, Poland
