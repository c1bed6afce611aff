"""The interviewer: a session plan, and follow-ups chosen from what was said.

The plan: a greeting, a warm-up question, the main questions (mixed categories and banks, none
the person was asked in their recent sessions unless they ask for repeats), and a closing "do
you have any questions for me?" whose answer is recorded like any other. With the person's own
model and a job description or résumé, `write_plan_with_model` lets the model write the first
main questions (simulator.interview.model_plan), marked `written_by`; the rules' keep the rest.

After each main question the interviewer may ask one follow-up, by rules it explains:

1. the answer ran past its time budget (or was cut off)  -> "Could you summarise that in one sentence?"
2. the answer was short (fewer than SHORT_ANSWER_WORDS)   -> "Can you give me a specific example?"
3. follow-ups grounded in the answer's words ("we" without "I", a claimed number, a story with no
   result, a hedged claim, a named thing): see `simulator.interview.followups`

The first rule that applies wins; at most one follow-up per question, none after the warm-up,
the closing or a follow-up. With the person's own model (`model`, simulator.llm), the model
writes the follow-up instead when its reply passes the checks of
`simulator.interview.model_followups` within BUDGET_S; otherwise the rules' is asked and
`on_note` says why in one line; `before_model` is called first (the session lets the model's
content feedback give way, simulator.interview.feedback_writer). Follow-up answers are recorded, analysed and stored like the others;
their question dict carries "follow_up_of" (the question's bank/id) and "reason".

Modes: "standard", and "pressure": time budgets shortened (x PRESSURE_BUDGET_SCALE), a faster
voice (+PRESSURE_RATE_BOOST words per minute), more curveballs, and the interviewer cuts in when
the budget is over ("Let me stop you there.").

Seeded randomness (`seed`) makes a plan reproducible: the same seed, banks, mode and history give
the same questions (add `repeat=True` to ask a past session's questions again).
"""

from __future__ import annotations

import math
import random
import re
from typing import Callable, Iterable, Sequence

from simulator.delivery.analyze import Delivery
from simulator.errors import UserError
from simulator.interview.followups import KINDS as GROUNDED_KINDS
from simulator.interview.followups import FollowUp, grounded_follow_up
from simulator.interview.questions import CLOSING, WARM_UP, Bank, Question, load_bank
from simulator.interview.session import Turn
from simulator.store import Answer, Store

DEFAULT_BANKS = ("general", "composure", "self-awareness", "motivation")
MODES = ("standard", "pressure")
DEFAULT_QUESTIONS = 5  # warm-up, three main questions, closing

PRESSURE_BUDGET_SCALE = 0.6
PRESSURE_RATE_BOOST = 40  # words per minute
MAX_RATE = 400
SHORT_ANSWER_WORDS = 30
RECENT_SESSIONS = 10  # questions asked in this many recent sessions are not asked again

WARM_UP_BANK = "general"  # where the warm-up comes from when the chosen banks have none
CLOSING_BANK, CLOSING_ID = "closing", "any-questions-for-me"
CURVEBALL_BANK = "composure"  # pressure mode draws extra curveballs from here
MODEL_BANK = "model"  # the `bank` of main questions the person's own model wrote
# What a strong answer to the model's question shows: it wrote the question, not this, so the
# rules' follow-ups and feedback are held to what any question about the job asks for.
MODEL_STRONG_ANSWER = "One real situation from your own work that fits the job: what you did, how, and how it turned out."

EXAMPLE = "Can you give me a specific example?"
OUTCOME = "What was the outcome?"
SUMMARISE = "Could you summarise that in one sentence?"
CUT_IN = "Let me stop you there."
FOLLOW_UP_LINES = (SUMMARISE, EXAMPLE, OUTCOME)

_FOLLOW_UPS = {  # kind: (line, budget cap in seconds, what a strong answer shows)
    "summary": (SUMMARISE, 20.0, "One clear sentence that carries the point of the answer."),
    "example": (EXAMPLE, 60.0, "One real situation: what you did yourself, and how it turned out."),
    "outcome": (OUTCOME, 45.0, "The result, measured if you can, and what you learned from it."),
}

# Questions that ask for a story, so an answer without a result is missing its ending.
_STORY_TEXT = re.compile(r"\b(tell me about (a|an|the|someone|something)\b|describe (a|an|the|something)\b"
                         r"|give me an example|a time (you|when)\b|what happened\b)", re.IGNORECASE)
_STORY_CATEGORIES = {"achievement", "results", "impact", "failure", "conflict", "teamwork", "leadership"}


def asks_for_story(question: dict) -> bool:
    return bool(_STORY_TEXT.search(question.get("text", ""))) or question.get("category") in _STORY_CATEGORIES


def choose_follow_up(question: dict, delivery: Delivery | None, stopped_by: str = "") -> FollowUp | None:
    """The follow-up the rules give for this answer, or None. See the module docstring."""
    if delivery is None or not delivery.speech_found:
        return None  # nothing was said: nothing to follow up
    budget = question.get("time_budget_s")
    length = delivery.answer_length.answer_s if delivery.answer_length else None
    if stopped_by == "cut-in":
        return _follow_up("summary", f"you ran past the {budget:g} s time budget and were cut off"
                          if budget else "you were cut off")
    if budget and length is not None and length > budget:
        return _follow_up("summary", f"your answer ran past its time budget: {length:.0f} s of {budget:g} s")
    words = int(delivery.word_count or 0)
    if words < SHORT_ANSWER_WORDS:
        return _follow_up("example", f"your answer was short: {words} word{'s' if words != 1 else ''}")
    return grounded_follow_up(question, delivery, asks_for_story(question))


def _follow_up(kind: str, reason: str) -> FollowUp:
    return FollowUp(kind, _FOLLOW_UPS[kind][0], reason)


def pressure_rate(rate: int) -> int:
    return min(MAX_RATE, rate + PRESSURE_RATE_BOOST)


def parse_banks(values: Iterable[str] | None) -> list[str]:
    """`--bank a --bank b,c` -> ["a", "b", "c"]; nothing -> the default mix."""
    names = [part.strip() for value in (values or ()) for part in value.split(",") if part.strip()]
    return list(dict.fromkeys(names)) or list(DEFAULT_BANKS)


def recent_question_keys(store: Store, sessions: int = RECENT_SESSIONS) -> list[str]:
    """`bank/id` of the planned questions asked in the last `sessions` sessions, newest first."""
    keys: list[str] = []
    for session in reversed(store.recent(sessions)):
        for answer in sorted(session.answers, key=lambda a: -a.number):
            q = answer.question or {}
            if q.get("id") and q.get("bank") and not q.get("follow_up_of"):
                keys.append(f"{q['bank']}/{q['id']}")
    return list(dict.fromkeys(keys))


class Interviewer:
    """A Plan for `run_session`: `next_turn(last)` gives the planned turns in order, and a
    follow-up after a main question when the answer calls for one."""

    def __init__(self, banks: Sequence[str | Bank] = DEFAULT_BANKS, questions: int = DEFAULT_QUESTIONS,
                 seed: int | None = None, mode: str = "standard", name: str = "Alex",
                 recent: Sequence[str] = (), repeat: bool = False, follow_ups: bool = True, job=None,
                 resume=None, model=None):
        if mode not in MODES:
            raise UserError(f"unknown mode {mode!r}; choose one of: {', '.join(MODES)}")
        if questions < 1:
            raise UserError("an interview needs at least one question")
        self.mode = mode
        self.name = name
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
        self.follow_ups = follow_ups
        self.banks = [b if isinstance(b, Bank) else load_bank(b) for b in banks]
        self.notes: list[str] = []  # things the person should know about the plan
        self.job = job  # a `job.Job`: its lines and skills come first, and say why (`self.why`)
        self.resume = resume  # a `resume.Resume` (with a job): questions about the person's own lines
        # question key -> (why it was chosen, the line it was built from, "job" or "resume")
        self.why: dict[str, tuple[str, str, str]] = {}
        self.model = model  # a `simulator.llm.endpoint.LocalModel`: it writes the follow-ups
        self.on_note: Callable[[str], None] = lambda text: None  # the session sets its view's warn
        self.before_model: Callable[[], None] = lambda: None  # the session clears the server's way (feedback)
        self._rng = random.Random(self.seed)
        self._recent = {key: rank for rank, key in enumerate(recent)} if not repeat else {}
        self.turns = self._plan(questions)
        self.total = sum(1 for t in self.turns if t.question is not None)
        self._next = 0
        self._asked: Turn | None = None  # the main question whose answer may get a follow-up

    # -- the plan ---------------------------------------------------------------------------

    @property
    def budget_scale(self) -> float:
        return PRESSURE_BUDGET_SCALE if self.mode == "pressure" else 1.0

    def _plan(self, count: int) -> list[Turn]:
        chosen: list[tuple[str, Question]] = []
        if count == 1:
            chosen = [("main", q) for q in self._main(1)]
        else:
            chosen = [("warm-up", self._warm_up())]
            chosen += [("main", q) for q in self._main(count - 2)]
            chosen.append(("closing", self._closing()))
        greeting = f"Hello, I am {self.name}. Thank you for making the time today."
        greeting += (" We have a lot to cover, so I will keep us moving." if self.mode == "pressure"
                     else " Let's begin.")
        turns = [Turn(greeting)]
        for number, (role, q) in enumerate(chosen, start=1):
            turns.append(self._turn(q.text, self._question(q, role), number))
        turns.append(Turn("Thank you, that is all my questions for today. Here is how you did."))
        return turns

    def _question(self, q: Question, role: str) -> dict:
        d = q.to_dict()
        d["role"] = role
        d["mode"] = self.mode
        if q.key in self.why:
            why, words, source = self.why[q.key]
            d["why"], d[f"{source}_words"] = why, words
        if self.budget_scale != 1.0:
            d["base_time_budget_s"] = q.time_budget_s
            d["time_budget_s"] = round(q.time_budget_s * self.budget_scale, 1)
        return d

    def _turn(self, text: str, question: dict, number: int) -> Turn:
        if self.mode == "pressure":
            return Turn(text, question=question, number=number, cut_in_s=question["time_budget_s"],
                        cut_in_line=CUT_IN)
        return Turn(text, question=question, number=number)

    def _fresh(self, questions: list[Question], want: int, what: str) -> list[Question]:
        """`questions` not asked recently; when fewer than `want` are left, the ones asked
        longest ago are added back (with a note)."""
        fresh = [q for q in questions if q.key not in self._recent]
        if len(fresh) >= want:
            return fresh
        stale = sorted((q for q in questions if q.key in self._recent), key=lambda q: -self._recent[q.key])
        if stale and want:
            self.notes.append(f"you have been asked every {what} in these banks recently; "
                              "some are asked again")
        return fresh + stale[: want - len(fresh)]

    def _warm_up(self) -> Question:
        pool = [q for b in self.banks for q in b.questions if q.category == WARM_UP]
        if not pool:
            pool = load_bank(WARM_UP_BANK).by_category(WARM_UP)
        return self._rng.choice(self._fresh(_unique(pool), 1, "warm-up question"))

    def _closing(self) -> Question:
        own = [q for b in self.banks for q in b.questions if q.category == CLOSING]
        preferred = [q for q in own if q.id == CLOSING_ID]
        if preferred or own:
            return (preferred or own)[0]
        q = load_bank(CLOSING_BANK).get(CLOSING_ID)
        if q is None:
            raise UserError(f"the {CLOSING_BANK} bank has no question {CLOSING_ID!r}")
        return q

    def _main(self, count: int) -> list[Question]:
        if count <= 0:
            return []
        if self.job is not None or self.resume is not None:
            from simulator.interview.job import job_main_questions

            return job_main_questions(self, count, _mixed)
        pool = _unique([q for b in self.banks for q in b.questions if q.category not in (WARM_UP, CLOSING)])
        if not pool:
            raise UserError("the chosen banks have no questions besides warm-ups and closings",
                            hint="add a bank with --bank, e.g. --bank general")
        curveballs = [q for q in pool if q.curveball]
        if self.mode == "pressure":
            want = math.ceil(count / 2)
            if len(curveballs) < want:
                # Borrowed curveballs never take more than half the questions from the chosen banks.
                want = max(len(curveballs), count // 2)
                extra = [q for q in load_bank(CURVEBALL_BANK).questions if q.curveball]
                curveballs = _unique(curveballs + extra)
        else:
            want = min(1, count // 3)  # the odd curveball, never a run of them
        picks = _mixed(self._fresh(curveballs, want, "curveball"), min(want, len(curveballs)),
                       self._rng, [])
        others = [q for q in pool if not q.curveball]
        picks += _mixed(self._fresh(others, count - len(picks), "question"), count - len(picks), self._rng, picks)
        if len(picks) < count:  # small banks: take curveballs after all
            picks += _mixed([q for q in curveballs if q not in picks], count - len(picks), self._rng, picks)
        if len(picks) < count:
            self.notes.append(f"the chosen banks have {len(picks)} main questions; "
                              f"asking those instead of {count}")
        if self.mode == "pressure":
            self._rng.shuffle(picks)  # curveballs can come at any moment
        else:
            picks.sort(key=lambda q: q.difficulty)  # easier first, as interviews tend to go
        return picks

    def write_plan_with_model(self, job_text: str | None, resume_text: str | None, note: Callable[[str], None]) -> None:
        """The first main questions written by the model (`self.model`) from the job description and
        résumé when they pass the checks of `simulator.interview.model_plan` within its BUDGET_S;
        the rules' questions keep the other slots, so the plan keeps its count. `note` says in one
        line what was not used and why."""
        from simulator.interview.model_plan import BUDGET_S, model_questions
        from simulator.llm.endpoint import ModelFailure

        slots = [i for i, t in enumerate(self.turns) if t.question is not None and t.question["role"] == "main"]
        if self.model is None or not slots or not (job_text or resume_text):
            return
        try:
            written, dropped = model_questions(self.model, job_text, resume_text, len(slots),
                                               [t.text for t in self.turns if t.question is not None], BUDGET_S)
        except ModelFailure as exc:
            note(f"your model's plan was not used ({exc.reason}): the rules' questions are asked")
            return
        if dropped:
            note(f"{len(dropped)} of your model's questions {'was' if len(dropped) == 1 else 'were'} not used "
                 f"({dropped[0]}): the rules' fill {'its place' if len(dropped) == 1 else 'their places'}")
        written_by = self.model.model or "your model"
        # The model's questions take the first slots; the rules' questions keep the slots after them.
        for n, (i, planned) in enumerate(zip(slots, written), start=1):
            rules = self.turns[i].question
            q = Question(f"model-{n}", MODEL_BANK, planned.text, "job", int(rules.get("difficulty", 2)),
                         float(rules.get("base_time_budget_s", rules["time_budget_s"])), MODEL_STRONG_ANSWER)
            self.why[q.key] = (planned.why, planned.words, planned.source)
            self.turns[i] = self._turn(q.text, {**self._question(q, "main"), "written_by": written_by},
                                       self.turns[i].number)

    # -- the conversation -------------------------------------------------------------------

    def next_turn(self, last: Answer | None) -> Turn | None:
        asked, self._asked = self._asked, None
        if asked is not None and last is not None and self.follow_ups:
            follow_up = choose_follow_up(asked.question, last.delivery, last.stopped_by)
            if self.model is not None and last.delivery is not None and last.delivery.speech_found:
                follow_up = self._model_follow_up(asked.question, last.delivery, follow_up)
            if follow_up is not None:
                return self._follow_up_turn(asked, follow_up)
        if self._next >= len(self.turns):
            return None
        turn = self.turns[self._next]
        self._next += 1
        if turn.question is not None and turn.question.get("role") == "main":
            self._asked = turn
        return turn

    def _model_follow_up(self, question: dict, delivery: Delivery, rules: FollowUp | None) -> FollowUp | None:
        """The model's follow-up when it passes its checks in time, else the rules' (said in a line)."""
        from simulator.interview.model_followups import BUDGET_S, model_follow_up
        from simulator.llm.endpoint import ModelFailure

        self.before_model()
        try:
            return model_follow_up(self.model, question, delivery.words, BUDGET_S)
        except ModelFailure as exc:
            fallback = "the rules' follow-up is asked" if rules is not None else "the rules ask none here"
            self.on_note(f"your model's follow-up was not used ({exc.reason}): {fallback}")
            return rules

    def upcoming(self) -> list[str]:
        lines = []
        if self._asked is not None and self.follow_ups:
            lines += [CUT_IN] if self.mode == "pressure" else []
            lines += list(FOLLOW_UP_LINES)
        if self._next < len(self.turns):
            lines.insert(0, self.turns[self._next].text)
        return lines

    def _follow_up_turn(self, asked: Turn, follow_up: FollowUp) -> Turn:
        q = asked.question
        line = follow_up.text
        cap, strong = _FOLLOW_UPS[follow_up.kind][1:] if follow_up.kind in _FOLLOW_UPS else GROUNDED_KINDS[follow_up.kind]
        base = min(float(q.get("base_time_budget_s", q["time_budget_s"])), cap)
        question = {
            "id": f"{q['id']}--{follow_up.kind}", "bank": q["bank"], "category": "follow-up",
            "text": line, "difficulty": q.get("difficulty", 1),
            "time_budget_s": round(base * self.budget_scale, 1), "strong_answer": strong,
            "follow_ups": [], "curveball": False, "role": "follow-up", "mode": self.mode,
            "follow_up_of": f"{q['bank']}/{q['id']}", "kind": follow_up.kind, "reason": follow_up.reason,
            "quote": follow_up.quote,
            **({"written_by": follow_up.written_by} if follow_up.written_by else {}),
        }
        if self.budget_scale != 1.0:
            question["base_time_budget_s"] = base
        return self._turn(line, question, asked.number)

    # -- for the record -----------------------------------------------------------------------

    def settings(self) -> dict:
        return {"banks": [b.name for b in self.banks], "bank_files": [str(b.path) for b in self.banks],
                "mode": self.mode, "seed": self.seed, "interviewer": self.name,
                "follow_ups": self.follow_ups,
                **({"llm": {"url": self.model.url, "model": self.model.model}} if self.model is not None else {}),
                **({"job": self.job.to_dict()} if self.job is not None else {})}


def plan_for_job(job_text: str | None, resume_text: str | None = None, *, banks: Sequence[str | Bank] = DEFAULT_BANKS,
                 questions: int = DEFAULT_QUESTIONS, seed: int | None = None, mode: str = "standard",
                 name: str = "Alex", recent: Sequence[str] = (), repeat: bool = False, model=None) -> Interviewer:
    """The interviewer for a pasted job description and, optionally, a résumé (either may be None;
    with neither, the banks' plan; `model`: the person's own, for the follow-ups). Its main questions come from the job's lines and the résumé's
    (see `job.job_questions`); the same texts, seed and history give the same plan."""
    from simulator.interview.job import read_job
    from simulator.interview.resume import read_resume

    job = read_job(job_text) if job_text else None
    resume = read_resume(resume_text, job_text or "") if resume_text else None
    return Interviewer(banks, questions=questions, seed=seed, mode=mode, name=name, recent=recent, repeat=repeat,
                       job=job, resume=resume, model=model)


def _unique(questions: Iterable[Question]) -> list[Question]:
    return list({q.key: q for q in questions}.values())


def _mixed(candidates: list[Question], count: int, rng: random.Random, already: list[Question]) -> list[Question]:
    """`count` of `candidates`, spread across categories and banks: each pick is the first (in a
    seeded shuffle) of those whose category, then bank, has been used least so far."""
    candidates = [q for q in candidates if q not in already]
    rng.shuffle(candidates)
    picks: list[Question] = []
    used = list(already)
    for _ in range(min(count, len(candidates))):
        cats = {}
        banks = {}
        for q in used:
            cats[q.category] = cats.get(q.category, 0) + 1
            banks[q.bank] = banks.get(q.bank, 0) + 1
        best = min((q for q in candidates if q not in picks),
                   key=lambda q: (cats.get(q.category, 0), banks.get(q.bank, 0)))
        picks.append(best)
        used.append(best)
    return picks
