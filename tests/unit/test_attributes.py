"""`oms.repository.attributes` types and reads DynamoDB attribute values as boto3's TypeSerializer and
TypeDeserializer do (then made plain: whole numbers as ints, sets as lists, binary as bytes)."""

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from oms.repository.attributes import plain, typed

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()

numbers = st.integers(min_value=-(10**37), max_value=10**37) | st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), places=6, allow_nan=False, allow_infinity=False
)
scalars = st.none() | st.booleans() | numbers | st.text(max_size=20) | st.binary(max_size=20)
sets = (
    st.frozensets(st.text(max_size=8), min_size=1, max_size=5)
    | st.frozensets(st.integers(-1000, 1000), min_size=1, max_size=5)
    | st.frozensets(st.binary(max_size=8), min_size=1, max_size=5)
)


def _nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    )


values = _nested(scalars | sets)
ordered_values = _nested(scalars)  # no sets: whatever reads back keeps its order


def _boto3_plain(value: Any) -> Any:
    """What boto3's deserializer answers, made plain the way OMS reads items."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return bytes(value)
    if isinstance(value, dict):
        return {k: _boto3_plain(v) for k, v in value.items()}
    if isinstance(value, list | set | frozenset | tuple):
        return [_boto3_plain(v) for v in value]
    return value


def _sets_sorted(attribute: Any) -> Any:
    """A typed value with its sets' members sorted: a set has no order."""
    if isinstance(attribute, dict):
        return {k: sorted(v, key=repr) if k in ("SS", "NS", "BS") else _sets_sorted(v) for k, v in attribute.items()}
    if isinstance(attribute, list):
        return [_sets_sorted(v) for v in attribute]
    return attribute


@given(values)
def test_a_value_is_typed_as_boto3_types_it(value: Any) -> None:
    assert _sets_sorted(typed(value)) == _sets_sorted(_serializer.serialize(value))


@given(ordered_values)
def test_an_attribute_reads_back_as_boto3_reads_it(value: Any) -> None:
    attribute = _serializer.serialize(value)

    assert plain(attribute) == _boto3_plain(_deserializer.deserialize(attribute))


@given(sets)
def test_a_set_reads_back_as_a_list_of_its_members(members: frozenset[Any]) -> None:
    attribute = _serializer.serialize(set(members))

    read = plain(attribute)

    assert isinstance(read, list)
    assert sorted(read, key=repr) == sorted(_boto3_plain(_deserializer.deserialize(attribute)), key=repr)


@pytest.mark.parametrize(
    "refused", [1.5, Decimal("NaN"), Decimal("Infinity"), 10**40, Decimal("1.0000000000000000000000000000000000000001")]
)
def test_what_boto3_refuses_to_type_is_refused(refused: Any) -> None:
    with pytest.raises(Exception) as ours:
        typed(refused)
    with pytest.raises(Exception) as boto3s:
        _serializer.serialize(refused)

    assert type(ours.value) is type(boto3s.value)


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(TypeError):
        typed(object())
    with pytest.raises(TypeError):
        plain({"X": "?"})
