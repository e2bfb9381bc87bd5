"""The expression grammar: what it accepts, what it builds, and the message for each kind of mistake."""

import pytest

from engine.errors import LabError
from engine.expressions import MAX_CHARS, MAX_TERMS, Expression, parse


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("king - man + woman", [("king", 1.0), ("man", -1.0), ("woman", 1.0)]),
        ("king − man + woman", [("king", 1.0), ("man", -1.0), ("woman", 1.0)]),  # typographic minus from slides
        ("paris - france + italy", [("paris", 1.0), ("france", -1.0), ("italy", 1.0)]),
        ("0.5*big + small", [("big", 0.5), ("small", 1.0)]),
        (".5 * big - 2*small", [("big", 0.5), ("small", -2.0)]),
        ("2*(king - man) + woman", [("king", 2.0), ("man", -2.0), ("woman", 1.0)]),
        ("-king + queen", [("king", -1.0), ("queen", 1.0)]),
        ("king + king - queen", [("king", 2.0), ("queen", -1.0)]),
        ("1990 + 2*1990s", [("1990", 1.0), ("1990s", 2.0)]),  # a number alone is a word; before '*' a weight
        ("e-mail + u.s. + o'neill", [("e-mail", 1.0), ("u.s.", 1.0), ("o'neill", 1.0)]),
        ("  frog  ", [("frog", 1.0)]),
    ],
)
def test_valid_expressions_become_weighted_words(text, terms):
    assert list(parse(text).terms) == terms


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("king -- +", "Expected a word at column 7; found '-'"),
        ("__import__('os')", "found '_', which is not allowed"),
        ("1/0", "Unexpected '/'"),
        ("", "Type an expression first"),
        ("   ", "Type an expression first"),
        ("king man", "Expected '+' or '-' before 'man' at column 6"),
        ("(king - man", "Expected ')' at column 12"),
        ("king +", "found the end of the expression"),
        ("2*", "after '*'"),
        ("king = queen", "Unexpected '='"),
        ("os.system('ls')", "Expected '+' or '-' before '('"),
        ("king - king", "Every word cancels out"),
        ("5000*king", "too large"),
        ("x" * (MAX_CHARS + 1), "characters long"),
        (" + ".join(f"w{i}" for i in range(MAX_TERMS + 1)), "different words"),
    ],
)
def test_malformed_expressions_say_what_and_where(text, message):
    with pytest.raises(LabError, match=None) as caught:
        parse(text)
    assert message in str(caught.value)


def test_division_hint_explains_weights():
    with pytest.raises(LabError) as caught:
        parse("big / 2")
    assert "0.5*big" in str(caught.value)


def test_expression_text_round_trips():
    for text in ["king - man + woman", "0.5*big + small", "-king + 2*queen"]:
        expression = parse(text)
        assert str(expression) == text
        assert parse(str(expression)) == expression


def test_positive_and_negative_parts():
    expression = parse("0.5*big - small + large")
    assert expression.positive == [("big", 0.5), ("large", 1.0)]
    assert expression.negative == [("small", 1.0)]
    assert expression.words == ["big", "small", "large"]
    assert isinstance(expression, Expression)


def test_nested_weights_are_bounded_once_multiplied_out():
    assert parse("2*(3*king)").terms == (("king", 6.0),)
    with pytest.raises(LabError, match="weight 1e\\+06"):
        parse("1000*1000*king - man")
