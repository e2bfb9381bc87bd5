"""Streamlit Markdown built from user text: one escaping rule, and the coloured words of an explanation.

UI-side on purpose: the engine returns data (`engine.sentiment.explain.bands` names each word's band); how a band
looks (Streamlit's `:color-background[...]`, bold) is the page's business.
"""

from __future__ import annotations

import re

import numpy as np

from engine.sentiment.explain import BANDS, bands

_BAND_STYLE = {"strong_for": ("green", True), "for": ("green", False), "neutral": (None, False),
               "against": ("orange", False), "strong_against": ("red", True)}
LEGEND = {"strong_for": "strongly for", "for": "for", "neutral": "little effect", "against": "against",
          "strong_against": "strongly against"}


def escape_markdown(text: str) -> str:
    """User text inside Streamlit Markdown: backslash-escape every character Markdown or Streamlit would act on."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~<>$:=&\"'])", r"\\\1", text)


def band_markdown(text: str, band: str) -> str:
    """Escaped text in a band's colour, bold when strong."""
    colour, bold = _BAND_STYLE[band]
    shown = f"**{escape_markdown(text)}**" if bold else escape_markdown(text)
    return f":{colour}-background[{shown}]" if colour else shown


def attribution_markdown(words: list[str], scores: np.ndarray) -> str:
    """The words in order, each coloured by its band; never HTML, every user character escaped."""
    return " ".join(band_markdown(word, band) for word, band in zip(words, bands(scores)))


def legend_markdown(label: str) -> str:
    """The colour key, naming the label the colours refer to."""
    keys = " ".join(band_markdown(LEGEND[band], band) for band in BANDS)
    return f"Colour = the word's push on P({escape_markdown(label)}), by each method's own measure: {keys}"
