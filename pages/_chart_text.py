"""User text made safe for plotly: titles, labels and hover text read a few HTML tags (<b>, <a href>, <br>)."""

from __future__ import annotations


def plain(label: str) -> str:
    """`label` as literal chart text: the ampersand and angle brackets escaped, so no tag in it is obeyed."""
    return label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
