"""The interviewer: plan shape, seeded reproducibility, no repeats from recent sessions, follow-up
rules with their reasons, pressure mode. Real banks, real delivery metrics (from `analyze` on
synthetic timed words), a real Store; no audio device or model needed."""

from __future__ import annotations

import functools

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import DATA

from simulator.delivery.analyze import Delivery, analyze
from simulator.errors import UserError
from simulator.interview import interviewer as iv
from simulator.interview import questions as qmod
from simulator.interview.interviewer import (
    CUT_IN,
    DEFAULT_BANKS,
    EXAMPLE,
    OUTCOME,
    PRESSURE_BUDGET_SCALE,
    SUMMARISE,
    Interviewer,
    choose_follow_up,
    parse_banks,
    pressure_rate,
    recent_question_keys,
)
from simulator.interview.questions import load_bank
from simulator.interview.session import FixedPlan, Turn
from simulator.store import Answer, Store
from simulator.transcribe.base import TimedWord

SR = 16_000
LONG_STORY = ("At my last job our team was running a slow release process. I was responsible for the "
              "build, so I decided to split the pipeline into stages and I tested each stage on its own "
              "before we moved the whole team over to the new setup during the spring")
LONG_STORY_WITH_RESULT = LONG_STORY + " and as a result we cut the build time by forty percent"


@pytest.fixture(autouse=True)
def _shipped_prompts(monkeypatch):
    monkeypatch.delenv(qmod.PROMPTS_ENV, raising=False)


def delivery(text: str, budget: float | None = 60.0, start: float = 0.5, word_s: float = 0.5) -> Delivery:
    """Real delivery metrics for `text` said at a steady pace from `start` seconds: each word a
    0.3 s piece of a real voice (the JFK clip's "ask not what your country can do"), with
    silence between. Noise bursts would not do: the voice model hears no voice in them."""
    words, t = [], start
    for w in text.split():
        words.append(TimedWord(w, t, t + 0.3, 0.9))
        t += word_s
    audio = np.zeros(int((t + 1.0) * SR), np.float32)
    voice = _voice()
    for k, w in enumerate(words):
        a = int(w.start * SR)
        piece = voice[(k * int(0.3 * SR)) % (len(voice) - int(0.3 * SR)):][: int(0.3 * SR)]
        audio[a:a + len(piece)] = piece
    return analyze(audio, words, time_budget_s=budget)


@functools.lru_cache(maxsize=1)
def _voice() -> np.ndarray:
    from simulator.audio.io import load_audio

    return load_audio(DATA / "jfk.wav")[int(5.6 * SR): int(7.6 * SR)]


def answer_to(turn: Turn, d: Delivery | None, stopped_by: str = "silence") -> Answer:
    return Answer(session_id="s", number=1, question=turn.question, audio=Path("/tmp/x.wav"),
                  duration_s=10.0, stopped_by=stopped_by, delivery=d)


def question_turns(interviewer: Interviewer) -> list[Turn]:
    return [t for t in interviewer.turns if t.question is not None]


# --- the plan ------------------------------------------------------------------------------------

def test_plan_shape_greeting_warm_up_main_closing():
    interviewer = Interviewer(questions=5, seed=1)
    turns = interviewer.turns
    assert turns[0].question is None and "Alex" in turns[0].text  # greeting
    assert turns[-1].question is None  # goodbye
    qs = question_turns(interviewer)
    assert interviewer.total == len(qs) == 5
    assert [t.number for t in qs] == [1, 2, 3, 4, 5]
    assert qs[0].question["category"] == "warm-up" and qs[0].question["role"] == "warm-up"
    assert [t.question["role"] for t in qs[1:-1]] == ["main"] * 3
    assert qs[-1].question["bank"] == "closing" and qs[-1].question["id"] == "any-questions-for-me"
    assert "questions for me" in qs[-1].text
    for t in qs:
        assert t.text == t.question["text"]
        assert {"bank", "category", "text", "id", "time_budget_s", "strong_answer"} <= set(t.question)
        assert t.cut_in_s is None  # standard mode never cuts in
    # One question only: a main question, no warm-up or closing.
    single = question_turns(Interviewer(questions=1, seed=1))
    assert len(single) == 1 and single[0].question["role"] == "main"


def test_main_questions_mix_categories_and_default_banks():
    interviewer = Interviewer(questions=8, seed=3)
    main = [t.question for t in question_turns(interviewer) if t.question["role"] == "main"]
    assert len(main) == 6
    assert len({q["category"] for q in main}) == 6, [q["category"] for q in main]
    assert {q["bank"] for q in main} <= set(DEFAULT_BANKS)
    assert len({q["bank"] for q in main}) >= 3  # banks mixed too
    assert len({(q["bank"], q["id"]) for q in main}) == 6


def test_banks_option_accepts_repeats_commas_and_own_file(tmp_path):
    assert parse_banks(None) == list(DEFAULT_BANKS)
    assert parse_banks(["sales", "general,closing", "sales"]) == ["sales", "general", "closing"]
    own = tmp_path / "mine.toml"
    own.write_text('[bank]\nname = "mine"\ntitle = "Mine"\n\n'
                   '[[questions]]\nid = "q1"\ntext = "Why this role?"\ncategory = "motivation"\n'
                   'difficulty = 1\ntime_budget_s = 20\nstrong_answer = "A reason."\n', encoding="utf-8")
    interviewer = Interviewer([str(own)], questions=3, seed=0)
    qs = [t.question for t in question_turns(interviewer)]
    assert [q["role"] for q in qs] == ["warm-up", "main", "closing"]
    assert qs[1]["bank"] == "mine"
    assert qs[0]["bank"] == "general" and qs[2]["id"] == "any-questions-for-me"  # borrowed frame
    broken = tmp_path / "broken.toml"
    broken.write_text(own.read_text().replace("difficulty = 1", "difficulty = 9"), encoding="utf-8")
    with pytest.raises(qmod.BankError, match=r"broken\.toml:\d+: .*difficulty"):
        Interviewer([str(broken)])
    with pytest.raises(UserError):
        Interviewer(mode="relaxed")


def test_seed_makes_the_plan_reproducible():
    def texts(seed, mode="standard"):
        return [t.text for t in Interviewer(questions=6, seed=seed, mode=mode).turns]

    assert texts(11) == texts(11)
    assert texts(11, "pressure") == texts(11, "pressure")
    assert len({tuple(texts(s)) for s in range(6)}) > 1  # the seed matters
    assert Interviewer(seed=None).seed is not None  # a random seed is recorded, so it can be replayed


def test_no_repeats_from_recent_sessions_unless_asked(tmp_path):
    store = Store(tmp_path / "rec")
    first = Interviewer(questions=6, seed=5)
    session = store.new_session("practice", first.settings())
    for number, turn in enumerate(question_turns(first), start=1):
        store.add_answer(Answer(session_id=session.id, number=number, question=turn.question,
                                audio=store.answer_path(session.id, number), duration_s=1.0, stopped_by="silence"))
    # A follow-up's question is not a planned question: it never counts as asked.
    store.add_answer(Answer(session_id=session.id, number=99, audio=store.answer_path(session.id, 99),
                            question={"id": "x--example", "bank": "general", "follow_up_of": "general/x"},
                            duration_s=1.0, stopped_by="silence"))
    store.finish_session(session.id)
    recent = recent_question_keys(store)
    asked = {f"{t.question['bank']}/{t.question['id']}" for t in question_turns(first)}
    assert set(recent) == asked

    again = Interviewer(questions=6, seed=5, recent=recent)
    main_again = {f"{t.question['bank']}/{t.question['id']}" for t in question_turns(again)
                  if t.question["role"] == "main"}
    assert main_again and not main_again & asked
    assert again.turns[1].question["id"] != first.turns[1].question["id"]  # the warm-up too, while there are others
    # --repeat: the same seed asks the same questions again.
    repeated = Interviewer(questions=6, seed=5, recent=recent, repeat=True)
    assert [t.text for t in repeated.turns] == [t.text for t in first.turns]


def test_when_every_question_was_asked_recently_the_oldest_come_back(tmp_path):
    bank = load_bank("teaching")
    main = [q for q in bank.questions if q.category not in ("warm-up", "closing")]
    recent = [q.key for q in main]  # newest first: the last of them was asked longest ago
    interviewer = Interviewer(["teaching"], questions=4, seed=2, recent=recent)
    picked = [t.question["id"] for t in question_turns(interviewer) if t.question["role"] == "main"]
    assert set(picked) == {main[-1].id, main[-2].id}
    assert any("recently" in n for n in interviewer.notes)


# --- follow-ups ----------------------------------------------------------------------------------

def test_short_answer_gets_a_specific_example_with_its_reason():
    d = delivery("I am good at my job and people like working with me")
    fu = choose_follow_up({"text": "What is your greatest strength?", "category": "strengths",
                           "time_budget_s": 90}, d)
    assert fu.text == EXAMPLE == "Can you give me a specific example?"
    assert fu.reason == f"your answer was short: {d.word_count} words"
    assert d.word_count < iv.SHORT_ANSWER_WORDS


def test_story_without_a_result_gets_what_was_the_outcome():
    q = {"text": "Tell me about a time you disagreed with a colleague.", "category": "conflict",
         "time_budget_s": 120}
    d = delivery(LONG_STORY, budget=120)
    assert d.word_count >= iv.SHORT_ANSWER_WORDS and not d.content.result
    fu = choose_follow_up(q, d)
    assert fu.text == OUTCOME == "What was the outcome?" and "no result" in fu.reason
    # With a result heard, no "outcome" question: the claimed number is asked about instead
    # (issue 14), quoting what was said.
    d2 = delivery(LONG_STORY_WITH_RESULT, budget=120)
    assert d2.content.result
    fu2 = choose_follow_up(q, d2)
    assert fu2.kind == "measure" and fu2.text != OUTCOME and fu2.quote in d2.transcript.lower()
    # Not a story question: a long answer without a "result" is fine.
    assert choose_follow_up({"text": "What motivates you?", "category": "motivation", "time_budget_s": 120},
                            d) is None


def test_answer_past_its_budget_gets_summarise_in_one_sentence():
    q = {"text": "Tell me about yourself.", "category": "introduction", "time_budget_s": 20}
    d = delivery(LONG_STORY_WITH_RESULT, budget=20)  # about 25 s
    assert d.answer_length.answer_s > 20
    fu = choose_follow_up(q, d)
    assert fu.text == SUMMARISE == "Could you summarise that in one sentence?"
    assert fu.reason == f"your answer ran past its time budget: {d.answer_length.answer_s:.0f} s of 20 s"
    # Cut off by the interviewer: the same follow-up, and the reason says so.
    short = delivery("well so the thing is", budget=12)
    fu = choose_follow_up({**q, "time_budget_s": 12}, short, stopped_by="cut-in")
    assert fu.text == SUMMARISE and "cut off" in fu.reason and "12 s" in fu.reason


def test_silence_gets_no_follow_up():
    assert choose_follow_up({"text": "Tell me about yourself.", "time_budget_s": 60}, delivery("", 60)) is None
    assert choose_follow_up({"text": "Tell me about yourself.", "time_budget_s": 60}, None) is None


def test_next_turn_asks_at_most_one_follow_up_and_only_after_main_questions():
    interviewer = Interviewer(questions=4, seed=9)
    short = delivery("I am good at my job")
    seen: list[Turn] = []
    last = None
    while (turn := interviewer.next_turn(last)) is not None:
        seen.append(turn)
        last = answer_to(turn, short) if turn.question is not None else None
    qs = [t for t in seen if t.question is not None]
    roles = [t.question["role"] for t in qs]
    # Every short answer to a main question gets one follow-up; the warm-up, the closing and the
    # follow-ups themselves get none.
    assert roles == ["warm-up", "main", "follow-up", "main", "follow-up", "closing"], roles
    for parent, fu in ((qs[1], qs[2]), (qs[3], qs[4])):
        q = fu.question
        assert fu.text == EXAMPLE and q["text"] == EXAMPLE
        assert q["follow_up_of"] == f"{parent.question['bank']}/{parent.question['id']}"
        assert q["reason"].startswith("your answer was short: ")
        assert fu.number == parent.number and q["time_budget_s"] > 0
    assert seen[0].question is None and seen[-1].question is None
    assert interviewer.total == 4  # follow-ups are not counted as planned questions


def test_follow_ups_are_rendered_ahead_while_the_person_answers():
    interviewer = Interviewer(questions=3, seed=4, mode="pressure")
    interviewer.next_turn(None)  # greeting
    warm_up = interviewer.next_turn(None)
    assert interviewer.upcoming() == [interviewer.turns[2].text]
    main = interviewer.next_turn(answer_to(warm_up, delivery("fine thanks")))
    assert main.question["role"] == "main"
    upcoming = interviewer.upcoming()
    assert upcoming[0] == interviewer.turns[3].text
    assert {CUT_IN, EXAMPLE, OUTCOME, SUMMARISE} <= set(upcoming)


def test_fixed_plan_is_the_demo_no_follow_ups():
    from simulator.interview.demo import demo_turns

    plan = FixedPlan(demo_turns())
    short = delivery("yes")
    got = []
    last = None
    while (turn := plan.next_turn(last)) is not None:
        got.append(turn)
        last = answer_to(turn, short) if turn.question else None
    assert [t.text for t in got] == [t.text for t in demo_turns()]
    assert [t.number for t in got if t.question] == [1, 2, 3] and plan.total == 3


# --- pressure mode -------------------------------------------------------------------------------

def test_pressure_shortens_budgets_cuts_in_and_asks_more_curveballs():
    standard = Interviewer(questions=8, seed=21)
    pressure = Interviewer(questions=8, seed=21, mode="pressure")
    for t in question_turns(pressure):
        q = t.question
        assert q["time_budget_s"] == pytest.approx(q["base_time_budget_s"] * PRESSURE_BUDGET_SCALE, abs=0.05)
        assert t.cut_in_s == q["time_budget_s"] and t.cut_in_line == CUT_IN == "Let me stop you there."
    by_key = {(q.bank, q.id): q for name in DEFAULT_BANKS + ("closing",) for q in load_bank(name).questions}
    for t in question_turns(standard):
        assert t.question["time_budget_s"] == by_key[(t.question["bank"], t.question["id"])].time_budget_s

    def curveballs(interviewer):
        return sum(1 for t in question_turns(interviewer) if t.question["curveball"])

    main = 6
    assert curveballs(pressure) >= math.ceil(main / 2) > curveballs(standard)
    # Even from banks without curveballs, pressure mode brings some in.
    calm = Interviewer(["general", "self-awareness"], questions=6, seed=1, mode="pressure")
    assert curveballs(calm) >= 2
    # Faster voice, and a follow-up in pressure mode is cut in on too.
    assert pressure_rate(170) == 210 and pressure_rate(390) == 400
    pressure.next_turn(None)
    warm_up = pressure.next_turn(None)
    main_turn = pressure.next_turn(answer_to(warm_up, delivery("fine")))
    fu = pressure.next_turn(answer_to(main_turn, delivery("so basically I would say", budget=5), "cut-in"))
    assert fu.text == SUMMARISE and "cut off" in fu.question["reason"]
    assert fu.cut_in_s == fu.question["time_budget_s"] <= 20 * PRESSURE_BUDGET_SCALE
