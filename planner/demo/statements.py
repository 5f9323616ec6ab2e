"""The two public statements the demo is made of (the loader imports them as a
secretariat would: planner.documents)."""

from __future__ import annotations

from importlib import resources

UK_ALBANIA = "uk-albania-statement-of-cooperation-2023.txt"
COALITION = "coalition-against-organised-crime-amsterdam.txt"


def read(name: str) -> str:
    return resources.files("planner.demo").joinpath("statements", name).read_text("utf-8")
