"""Replay's view: a stored answer played while its transcript follows along (karaoke)."""

from __future__ import annotations

from typing import Callable

from rich.console import Console
from rich.text import Text


def replay_answer(out: Console, session_id: str, answer, play: Callable[[Callable[[float], None]], None]) -> None:
    """`play(on_position)` plays the audio, calling `on_position(seconds)` as it goes."""
    out.rule(f"Session {session_id} · answer {answer.number}")
    out.print(Text(f"Q: {(answer.question or {}).get('text', '')}", style="bold"))
    words = answer.delivery.words if answer.delivery is not None else []
    shown = 0

    def follow(position: float) -> None:
        nonlocal shown
        while shown < len(words) and words[shown].start <= position:
            w = words[shown]
            out.print(Text(w.text + " ", style="magenta" if w.filler else ""), end="")
            shown += 1

    play(follow)
    follow(float("inf"))
    out.print()
