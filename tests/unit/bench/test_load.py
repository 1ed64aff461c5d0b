"""The load bench's pure helpers: weighted picks, classifying answers, the summary table."""

import random

import httpx

from bench.load import Tally, classify, pick, summary


def test_pick_follows_the_weights_and_never_picks_a_zero_weight() -> None:
    rng = random.Random(1)
    drawn = [pick({"a": 3, "b": 1, "c": 0}, rng) for _ in range(4000)]
    assert "c" not in drawn
    assert 2.6 < drawn.count("a") / drawn.count("b") < 3.4


def response(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_classify_names_statuses_codes_and_union_error_members() -> None:
    assert classify(response(200, {"data": {"ask": {"__typename": "Answer"}}}), "ask") is None
    assert classify(response(502, {}), "ask") == "HTTP 502"
    forbidden = {"data": None, "errors": [{"message": "No.", "extensions": {"code": "FORBIDDEN"}}]}
    assert classify(response(200, forbidden), "ask") == "GraphQL FORBIDDEN"
    throttled = {"data": {"login": {"__typename": "TooManyAttempts", "code": "RATE_LIMITED"}}}
    assert classify(response(200, throttled), "login") == "TooManyAttempts RATE_LIMITED"
    assert classify(httpx.Response(200, text="<html>"), "ask") == "not JSON"


def test_only_5xx_statuses_count_as_server_errors_and_the_total_adds_up() -> None:
    tally = Tally(seconds=[0.1, 0.2, 0.3])
    tally.errors.update({"HTTP 500": 1, "HTTP 503": 1, "HTTP 413": 1, "GraphQL FORBIDDEN": 2})
    assert tally.server_errors == 2
    other = Tally(seconds=[0.4])
    header, ask, listing, total = summary({"ask": tally, "list": other}, elapsed=2.0)
    assert header.split()[:2] == ["operation", "count"]
    assert ask.split()[:2] == ["ask", "3"] and listing.split()[:2] == ["list", "1"]
    assert total.split()[:3] == ["total", "4", "2.0"]


def test_an_operation_that_never_ran_reports_zeros() -> None:
    [_, line, _] = summary({"upload": Tally()}, elapsed=1.0)
    assert line.split() == ["upload", "0", "0.0", "0", "0", "0", "0"]
