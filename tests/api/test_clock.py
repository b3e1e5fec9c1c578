"""POST /_userpool/clock: the test-only control of the server's clock."""

from __future__ import annotations

import time

import pytest

from tests.helpers import http_post


def move(server, body):
    return http_post(f"{server.url}/_userpool/clock", json=body, timeout=10)


def now(server) -> float:
    response = move(server, {"advance": 0})
    assert response.status_code == 200
    return response.json()["now"]


def test_a_frozen_clock_moves_only_when_advanced_and_runs_on_from_there(server, frozen_clock):
    stopped = now(server)
    time.sleep(0.05)
    assert now(server) == stopped
    assert move(server, {"advance": 10}).json()["now"] == stopped + 10
    thawed = move(server, {"freeze": False}).json()["now"]
    assert stopped + 10 <= thawed < stopped + 11
    time.sleep(0.05)
    assert now(server) > thawed


def test_freeze_and_advance_in_one_request(server, frozen_clock):
    move(server, {"freeze": False})
    stopped = move(server, {"freeze": True, "advance": 5}).json()["now"]
    time.sleep(0.05)
    assert now(server) == stopped


@pytest.mark.parametrize("body", [{}, {"advance": "soon"}, {"freeze": "yes"}, [1], {"advance": None}])
def test_bad_bodies_are_refused_and_move_nothing(server, body):
    before = now(server)
    response = move(server, body)
    assert response.status_code == 400
    assert response.json() == {"message": 'Send {"advance": <seconds>} and/or {"freeze": true | false}.'}
    assert before <= now(server) < before + 5


def test_a_body_that_is_not_json_is_refused(server):
    response = http_post(f"{server.url}/_userpool/clock", content=b"{", timeout=10)
    assert response.status_code == 400
