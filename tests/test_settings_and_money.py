from decimal import Decimal

import pytest

from mutualaid.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list
from mutualaid.money import amount_in_words, to_fen


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfiguredEnv, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ImproperlyConfiguredEnv, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_bool("X_BOOL", False) is True
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), (3, "3.00")],
)
def test_rounding_is_half_up_to_the_fen(amount, expected):
    assert to_fen(amount) == Decimal(expected)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_fen(0.1)


@pytest.mark.parametrize(
    ("amount", "words"),
    [("12000", "壹万贰仟元整"), ("20000.00", "贰万元整"), ("1005.5", "壹仟零伍元伍角")],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words
