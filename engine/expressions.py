"""Word-arithmetic expressions such as `king - man + woman` or `0.5*big + small`, parsed, never evaluated.

A tiny recursive-descent parser over this grammar (Python's `ast`/`eval` would accept far more than
arithmetic on words, so the grammar is written out instead):

    expression := sign? term (("+" | "-") term)*
    term       := NUMBER "*" term | "(" expression ")" | WORD
    sign       := "+" | "-"

The result is a linear combination of words, `[(word, weight)]`, with repeated words merged. A
number on its own (`1990`) is a word, since vocabularies hold years; it is a weight only before `*`.
A hyphen inside a word (`e-mail`) belongs to the word; to subtract, put spaces around the minus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import LabError

MAX_CHARS = 500
MAX_TERMS = 20
_MAX_WEIGHT = 1_000.0

# One token: a number, a word, an operator, or one character that belongs to none of these.
_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:\d+\.\d*|\.\d+|\d+)(?![\w.'-]*[^\W\d_]))"  # 0.5, 2, .5 (not the start of "2nd")
    r"|(?P<word>[^\W_][\w.'’-]*[\w.'’]|[^\W_])"  # king, e-mail, u.s., o'neill, 1990
    r"|(?P<op>[-+*()])"
    r"|(?P<other>\S)"
    r")"
)
# Typographic operators people paste from slides, mapped one character to one so columns stay right.
_TYPOGRAPHIC = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*"})
_HINTS = {
    "/": "division is not part of the grammar; write a weight as a number before '*', e.g. 0.5*big",
    "=": "there is nothing to assign; type only the right-hand side, e.g. king - man + woman",
    "_": "words start with a letter or digit",
}


@dataclass(frozen=True)
class Expression:
    """A parsed expression: each distinct word once, with its summed weight, in order of first use."""

    terms: tuple[tuple[str, float], ...]

    @property
    def words(self) -> list[str]:
        return [word for word, _ in self.terms]

    @property
    def positive(self) -> list[tuple[str, float]]:
        return [(word, weight) for word, weight in self.terms if weight > 0]

    @property
    def negative(self) -> list[tuple[str, float]]:
        return [(word, -weight) for word, weight in self.terms if weight < 0]

    def __str__(self) -> str:
        parts = []
        for i, (word, weight) in enumerate(self.terms):
            text = word if abs(weight) == 1 else f"{abs(weight):g}*{word}"
            if i == 0:
                parts.append(text if weight > 0 else f"-{text}")
            else:
                parts.append(f"{'-' if weight < 0 else '+'} {text}")
        return " ".join(parts)


@dataclass(frozen=True)
class _Token:
    kind: str  # number | word | op | other | end
    text: str
    position: int  # 1-based column, for messages


def parse(text: str) -> Expression:
    """Parse `text` into an Expression; raises LabError with the column of the first problem."""
    if not isinstance(text, str) or not text.strip():
        raise LabError("Type an expression first, for example: king - man + woman.")
    if len(text) > MAX_CHARS:
        raise LabError(f"The expression is {len(text):,} characters long; keep it under {MAX_CHARS}.")
    parser = _Parser(_tokenize(text.translate(_TYPOGRAPHIC)))
    weights = parser.expression(1.0)
    parser.expect_end()
    terms = tuple((word, weight) for word, weight in weights.items() if weight != 0)
    if not terms:
        raise LabError("Every word cancels out (all the weights are zero); nothing is left to look up.")
    if len(terms) > MAX_TERMS:
        raise LabError(f"The expression has {len(terms)} different words; use at most {MAX_TERMS}.")
    heaviest = max(terms, key=lambda term: abs(term[1]))
    if abs(heaviest[1]) > _MAX_WEIGHT:  # nested weights multiply: 1000*1000*x would overflow float32 soon after
        raise LabError(f"'{heaviest[0]}' ends up with weight {heaviest[1]:g} once the weights are multiplied out; "
                       f"keep every word's weight at most {_MAX_WEIGHT:g}.")
    return Expression(terms)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:  # only trailing white space is left
            break
        kind = match.lastgroup or "other"
        tokens.append(_Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """Recursive descent over the token list; each rule returns {word: weight} scaled by `scale`."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.at]

    def advance(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self, scale: float) -> dict[str, float]:
        sign = 1.0
        if self.current.kind == "op" and self.current.text in "+-":
            sign = -1.0 if self.advance().text == "-" else 1.0
        weights = self.term(scale * sign)
        while self.current.kind == "op" and self.current.text in "+-":
            sign = -1.0 if self.advance().text == "-" else 1.0
            _merge(weights, self.term(scale * sign))
        return weights

    def term(self, scale: float) -> dict[str, float]:
        token = self.current
        if token.kind == "number" and self.tokens[self.at + 1].text == "*":
            weight = float(token.text)
            if weight > _MAX_WEIGHT:
                raise LabError(f"The weight {token.text} at column {token.position} is too large; keep weights at most {_MAX_WEIGHT:g}.")
            self.at += 2
            return self.term(scale * weight)
        if token.kind == "op" and token.text == "(":
            self.advance()
            inner = self.expression(scale)
            closing = self.current
            if not (closing.kind == "op" and closing.text == ")"):
                raise LabError(f"Expected ')' at column {closing.position} to close the '(' at column {token.position}; found {_describe(closing)}.")
            self.advance()
            return inner
        if token.kind in ("word", "number"):
            self.advance()
            return {token.text: scale}
        expected = "a word" if self.at == 0 or self.tokens[self.at - 1].text != "*" else "a word or '(' after '*'"
        raise LabError(f"Expected {expected} at column {token.position}; found {_describe(token)}.")

    def expect_end(self) -> None:
        token = self.current
        if token.kind == "end":
            return
        if token.kind in ("word", "number", "op") and token.text not in ")*":
            raise LabError(
                f"Expected '+' or '-' before {_describe(token)} at column {token.position}. "
                f"Words are combined with + and -, e.g. king - man + woman."
            )
        raise LabError(f"Unexpected {_describe(token)} at column {token.position}.")


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    hint = _HINTS.get(token.text)
    if token.kind == "other":
        return f"'{token.text}', which is not allowed" + (f" ({hint})" if hint else "; use words, numbers, + - * and parentheses")
    return f"'{token.text}'"


def _merge(into: dict[str, float], other: dict[str, float]) -> None:
    for word, weight in other.items():
        into[word] = into.get(word, 0.0) + weight
