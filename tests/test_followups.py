"""Follow-ups grounded in the answer's words, with their reason (issue 14), and coaching."""

from __future__ import annotations

import subprocess
from pathlib import Path

from simulator.delivery.analyze import Delivery
from simulator.delivery.content import judge_content
from simulator.delivery.coaching import changes, coach
from simulator.interview.followups import GENERAL
from simulator.interview.interviewer import Interviewer, choose_follow_up
from simulator.store import Answer

STORY = {"text": "Tell me about a time you improved something at work.", "category": "achievement",
         "time_budget_s": 120}
OPINION = {"text": "What do you think makes a good team?", "category": "teamwork-view", "time_budget_s": 120}
FILLERS = {"um": "hesitation", "uh": "hesitation", "like": "discourse"}
PAD = " It took a few months of steady work with the people around me and plenty of patience too."


def delivery(text: str, unsure: set[int] = frozenset(), dropped: list[tuple[str, int]] = (),
             fillers: dict[str, str] = FILLERS, **extra) -> Delivery:
    """A Delivery with the words of `text`: one word every 0.4 s; `unsure` word indexes get a low
    probability; `dropped` puts a dropped (hallucinated) word before the word at that index."""
    words, gaps = [], {i: w for w, i in dropped}
    t = 0.5
    for i, w in enumerate(text.split()):
        if i in gaps:
            t += 0.4
        bare = w.strip(",.").lower()
        words.append({"text": w, "start": round(t, 2), "end": round(t + 0.3, 2),
                      "probability": 0.3 if i in unsure else 0.9, "filler": fillers.get(bare)})
        t += 0.4
    drops = []
    for w, i in dropped:
        drops.append({"text": w, "start": words[i]["start"] - 0.4, "end": words[i]["start"] - 0.1,
                      "reason": "no voice"})
    spoken = [w["text"] for w in words if w["filler"] != "hesitation"]
    d = Delivery.from_dict({
        "file": None, "duration_s": t, "pauses": [], "fillers_per_min": None,
        "words": words, "dropped_words": drops, "word_count": len(spoken), "speech_found": True,
        "transcript": text, "answer_length": {"answer_s": t},
        "wpm": 140.0, "time_to_first_word_s": 0.5, "speech_s": t, "fillers": {"hesitation": 0, "discourse": 0},
        **extra})
    d.content = judge_content(d.words, None)  # as analyze judges it, from the labelled words
    return d


def test_a_claimed_number_is_quoted_back_in_the_second_person():
    d = delivery("At my last job I was asked to look at our cloud bill. I moved the batch jobs to cheaper "
                 "machines, and in the end I cut hosting costs by 20% in three months." + PAD)
    fu = choose_follow_up(STORY, d)
    assert fu.kind == "measure"
    assert fu.text == "You said you cut hosting costs by 20% in three months. How did you measure that?"
    assert fu.quote == "I cut hosting costs by 20% in three months"
    assert "number" in fu.reason


def test_we_without_i_asks_for_the_persons_own_part():
    d = delivery("We were building a new checkout. We split the work into small pieces and we tested every "
                 "step with real customers, so in the end we shipped it two weeks early and everyone was happy."
                 + PAD.replace("me", "us"))
    fu = choose_follow_up(STORY, d)
    assert fu.kind == "ownership" and fu.text == "What was your own part in it?"
    assert 'never "I"' in fu.reason and fu.quote.startswith("We were building a new checkout")


def test_a_named_thing_is_asked_about():
    d = delivery("I think a good team is honest. On the billing migration I saw people say what was wrong "
                 "early, and that honesty is what I value most in any group I work with." + PAD)
    fu = choose_follow_up(OPINION, d)
    assert fu.kind == "named"
    assert fu.text == "What was hardest about the billing migration?"
    assert fu.quote == "the billing migration"


def test_a_hedge_on_a_key_claim():
    d = delivery("A good team shares the load. When I joined my last team I set up a weekly review, and "
                 "I think we halved the number of missed deadlines after that, which mattered to everyone."
                 + PAD)
    fu = choose_follow_up(OPINION, d)
    assert fu.kind == "confidence"
    assert fu.text == "How confident are you that you halved the number of missed deadlines after that?"
    assert fu.quote.startswith("I think we halved")


def test_a_story_with_none_of_these_asks_for_the_outcome():
    d = delivery("When I was at the bakery the mornings were chaotic. I was asked to sort it out, so I "
                 "talked to each person on the early shift and I wrote a simple checklist for opening." + PAD)
    fu = choose_follow_up(STORY, d)
    assert fu.kind == "outcome" and fu.text == "What was the outcome?" and "no result" in fu.reason


def test_an_answer_with_nothing_to_ask_gets_no_follow_up():
    d = delivery("A good team is one where people are honest with each other, help when someone is stuck, "
                 "and care about doing the work well rather than looking good in meetings." + PAD)
    assert choose_follow_up(OPINION, d) is None


def test_a_filler_is_never_quoted():
    d = delivery("At my last job I was asked to look at our cloud bill, and in the end I, um, cut hosting "
                 "costs by 20% in three months." + PAD)
    fu = choose_follow_up(STORY, d)
    assert fu.kind == "measure" and "um" not in fu.text.split() and "um" not in fu.quote.split()
    assert fu.text == "You said you cut hosting costs by 20% in three months. How did you measure that?"


def test_a_dropped_or_unsure_word_falls_back_to_a_general_follow_up():
    text = ("A good team shares the load. On the billing migration I saw people say what was wrong early, and "
            "that honesty is what I value most in any group I work with." + PAD)
    idx = text.split().index("billing")
    for d in (delivery(text, unsure={idx}), delivery(text, dropped=[("Stripe", idx)])):
        fu = choose_follow_up(OPINION, d)
        assert fu.kind == "general" and fu.text == GENERAL and "unclear" in fu.reason
        assert "billing" not in fu.text


def _two_questions(interviewer):
    found = []
    while len(found) < 2:
        turn = interviewer.next_turn(None)
        if turn.question is not None:
            found.append(turn)
    return found


def test_the_interviewer_asks_the_grounded_follow_up_with_its_words():
    interviewer = Interviewer(banks=["software-engineering"], questions=3, seed=1)
    warm, main = _two_questions(interviewer)
    assert warm.question["role"] == "warm-up" and main.question["role"] == "main"
    d = delivery("At my last job I was asked to look at our cloud bill, and in the end I cut hosting costs "
                 "by 20% in three months." + PAD)
    answer = Answer(session_id="s", number=2, question=main.question, audio=Path("/tmp/x.wav"),
                    duration_s=30.0, stopped_by="silence", delivery=d)
    fu = interviewer.next_turn(answer)
    assert fu.question["role"] == "follow-up" and fu.question["kind"] == "measure"
    assert fu.text.startswith("You said you cut hosting costs by 20%")
    assert fu.question["quote"] == "I cut hosting costs by 20% in three months" and fu.question["reason"]


# -- coaching ------------------------------------------------------------------------------------

def test_coaching_names_the_widespread_habit_with_evidence_and_a_drill():
    answers = []
    for _ in range(3):
        d = delivery("um so uh I think the main thing I learned was to plan ahead and to ask for help early"
                     + PAD)
        answers.append(d)
    advice = coach(answers)
    assert 1 <= len(advice) <= 2
    assert advice[0].topic == "Fillers at the start"
    assert "6 of your 6 fillers" in advice[0].evidence and "3 of 3 answers" in advice[0].evidence
    assert "pause" in advice[0].drill


def test_coaching_says_nothing_for_one_answer():
    assert coach([delivery("I planned it and as a result we shipped early." + PAD)]) == []


def test_changes_since_the_last_session_in_words():
    slow = delivery("I planned the work." + PAD, wpm=100.0)
    good = delivery("I planned the work." + PAD)
    lines = changes([[slow, slow, slow, good], [good, good, good, slow]])
    assert lines[0] == "pace steadier: 3 of 4 answers in range, up from 1 of 4"


def test_analyze_prints_the_follow_up_for_a_recording():
    cli = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "interview-sim"
    wav = Path(__file__).parent / "data" / "jfk.wav"
    run = subprocess.run([str(cli), "analyze", str(wav), "--question", "What would you ask of your country?"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Follow-up: Can you give me a specific example?" in run.stdout
    assert "why: your answer was short" in run.stdout
