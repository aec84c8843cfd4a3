"""The ops page draws the order state machine in rows, marks the path an execution took and where it waits,
and offers a partner only the moves that would apply."""

from __future__ import annotations

import re

import pytest

from local.ui.backend import next_moves
from local.ui.graph import ranks, svg, taken

# The shape of the order machine: a loop back through a Choice and a Catch into compensation.
MACHINE = {
    "StartAt": "Allocate",
    "States": {
        "Allocate": {
            "Type": "Task",
            "Next": "Notify",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Compensate"}],
        },
        "WhatNext": {"Type": "Choice", "Choices": [{"Variable": "$.again", "Next": "Allocate"}], "Default": "Settled"},
        "Notify": {"Type": "Task", "Next": "Dispatch"},
        "Dispatch": {
            "Type": "Task",
            "Next": "WhatNext",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Compensate"}],
        },
        "Compensate": {"Type": "Task", "Next": "Failed"},
        "Failed": {"Type": "Fail"},
        "Settled": {"Type": "Succeed"},
    },
}


def test_rows_follow_the_longest_forward_path_and_a_loop_does_not_push_its_target_down():
    assert ranks(MACHINE) == {
        "Allocate": 0,
        "Notify": 1,
        "Dispatch": 2,
        "WhatNext": 3,
        "Compensate": 3,
        "Failed": 4,
        "Settled": 4,
    }


def test_the_path_taken_is_the_declared_transitions_between_consecutive_states():
    entered = ["Allocate", "Notify", "Dispatch", "WhatNext", "Allocate", "Notify"]

    assert taken(entered, MACHINE) == {
        ("Allocate", "Notify"),
        ("Notify", "Dispatch"),
        ("Dispatch", "WhatNext"),
        ("WhatNext", "Allocate"),
    }
    assert taken(["Allocate", "Settled"], MACHINE) == set()


def test_the_drawing_marks_visited_states_the_waiting_one_and_the_edges_taken():
    drawn = svg(MACHINE, ["Allocate", "Notify", "Dispatch"], "Dispatch", "Order <1>")

    found = re.findall(r'<g class="([^"]*)" data-state="([^"]*)"', drawn)
    marked = {name: classes.split() for classes, name in found}
    assert "waiting" in marked["Dispatch"] and "visited" in marked["Dispatch"]
    assert "visited" in marked["Allocate"] and "waiting" not in marked["Allocate"]
    assert "visited" not in marked["Compensate"]
    assert re.findall(r'class="edge [a-z]+ taken" data-edge="([^"]*)"', drawn) == [
        "Allocate&gt;Notify",
        "Notify&gt;Dispatch",
    ]
    assert '<title id="machine-title">Order &lt;1&gt;</title>' in drawn
    assert "Waiting in Dispatch." in drawn


def test_no_two_states_overlap():
    drawn = svg(MACHINE, [], None, "t")

    boxes = re.findall(r'<rect x="(\d+)" y="(\d+)"', drawn)
    assert len(boxes) == len(set(boxes)) == len(MACHINE["States"])


@pytest.mark.parametrize(
    ("status", "moves"),
    [
        ("SENT", ["ACCEPTED", "REJECTED", "SHIPPED", "IN_TRANSIT", "DELIVERED", "EXCEPTION"]),
        ("ACCEPTED", ["REJECTED", "SHIPPED", "IN_TRANSIT", "DELIVERED", "EXCEPTION"]),
        ("SHIPPED", ["IN_TRANSIT", "DELIVERED", "EXCEPTION"]),
        ("DELIVERED", []),
        ("REJECTED", []),
    ],
)
def test_a_partner_is_offered_only_the_moves_that_apply(status, moves):
    assert next_moves(status) == moves
