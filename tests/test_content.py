"""Content feedback (issue 21): what was said, judged once, shown the same by every view.

Transcripts only: no model, no audio. The words are labelled by the same filler code a recorded
answer goes through (simulator.evaluation.content.timed_words).
"""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

from rich.console import Console

from simulator.delivery.analyze import Delivery, FillerCounts, LabeledWord
from simulator.delivery.coaching import changes
from simulator.delivery.content import QuestionBrief, judge_content
from simulator.delivery.summary import summarize
from simulator.evaluation.content import load, run_content, timed_words

ROOT = Path(__file__).resolve().parents[1]
ISSUE_QUESTION = QuestionBrief("Tell me about a difficult project you led.")
ISSUE_ANSWER = ("So, um, in my last role I led a team of five engineers. We had to migrate our billing system in "
                "three months. Uh, the hard part was, you know, keeping the old system alive. In the end we "
                "shipped on time and cut costs by twenty percent.")


def test_the_issues_example_finds_the_situation_and_that_no_action_is_the_persons_own():
    fb = judge_content(timed_words(ISSUE_ANSWER), ISSUE_QUESTION)
    assert fb.judged and fb.story_expected and fb.answered
    assert fb.quote("situation") == "In my last role I led a team of five engineers."  # "So, um": a filler
    assert fb.quote("task") == "We had to migrate our billing system in three months."
    assert fb.quote("result") == "In the end we shipped on time and cut costs by twenty percent."
    assert "action" in fb.parts_missing
    assert fb.measured_result and fb.measure == "twenty percent"
    # No step of the person's own: the next step says so, quoting the "we".
    assert fb.ownership.owner == "none" and fb.ownership.we_quotes
    assert "with \u201cI\u201d" in fb.next_step.text and "We had to migrate" in fb.next_step.evidence
    # Fillers are never quoted, not even where they sat between commas.
    said = " ".join(text for _, text in fb.points)
    for filler in ("um", "uh", "you know"):
        assert f" {filler}," not in said.lower() and f"{filler}," not in said.lower()
    assert "The hard part was keeping the old system alive." in [x.quote for x in fb.sentences]


def test_every_quote_is_the_transcript_less_its_fillers():
    for answer in load():
        fb = judge_content(timed_words(answer.transcript), QuestionBrief.from_question(answer.question))
        clean = " ".join(w.text for w in timed_words(answer.transcript) if not w.filler).lower()
        clean = clean.replace(",", "").replace(".", "").replace("?", "")
        for s in fb.sentences:
            bare = s.quote.lower().replace(",", "").replace(".", "").replace("?", "")
            assert bare in clean, (answer.id, s.quote)


def test_unsure_words_are_never_quoted_and_a_mostly_unsure_answer_is_not_judged():
    words = timed_words("At my last job the build took forty minutes. I split the tests into eight groups. "
                        "In the end the build took twelve minutes.")
    k = [w.text for w in words].index("eight")
    words[k] = LabeledWord("eight", words[k].start, words[k].end, 0.1, None)  # the recogniser's guess
    fb = judge_content(words, None)
    assert fb.judged
    assert "eight" not in " ".join(s.quote for s in fb.sentences)
    assert "split the tests into \u2026 groups" in fb.quote("action")
    unsure = [LabeledWord(w.text, w.start, w.end, 0.2 if i % 2 else 0.9, w.filler) for i, w in enumerate(words)]
    fb = judge_content(unsure, None)
    assert not fb.judged and "too uncertain" in fb.reason
    assert fb.points == [("Content", f"not judged: {fb.reason}")]


def test_a_key_word_heard_only_unsure_is_unclear_not_missing_and_not_quoted():
    words = timed_words("So, a colleague wanted to ship a feature before it was tested. I asked for a short meeting "
                        "and we looked at the risk together. We agreed to release it to five percent of users first.")
    k = [w.text for w in words].index("colleague")
    words[k] = LabeledWord("colleague", words[k].start, words[k].end, 0.2, None)
    fb = judge_content(words, QuestionBrief("Tell me about a time you disagreed with a colleague."))
    assert fb.question_terms.unclear == ["colleague"] and fb.question_terms.missing == ["disagreed"]
    assert fb.answered and "“colleague”" not in " ".join(t for _, t in fb.points)


def test_a_short_answer_says_it_is_too_short_and_judges_nothing():
    fb = judge_content(timed_words("Um, I don't really have conflicts."), QuestionBrief("Tell me about a conflict."))
    assert not fb.judged and "too short" in fb.reason
    assert not fb.parts_heard and not fb.answered and fb.next_step is None


def test_an_answer_that_does_not_answer_says_what_was_not_heard():
    q = QuestionBrief("Tell me about a time you disagreed with a colleague.", "A specific situation and an outcome.")
    fb = judge_content(timed_words("I think I am a really easy person to get along with. I like working in teams and "
                                   "I always try to be positive. People usually say I am a good listener."), q)
    assert fb.judged and not fb.answered
    assert [t for t in fb.question_terms.missing] == ["disagreed", "colleague"]
    assert fb.next_step.text.startswith("Tell one real example")
    assert ("A strong answer", "A specific situation and an outcome.") in fb.points


def test_a_job_question_is_held_against_its_duty():
    q = QuestionBrief.from_question({"text": "Tell me about a time you handed over a patient.",
                                     "strong_answer": "",
                                     "duty": "Give clear handovers of patient care at shift change"})
    fb = judge_content(timed_words("On a night shift I was looking after a patient whose pressure was dropping. "
                                   "At handover I went through his chart with the day nurse. She caught the next "
                                   "drop early."), q)
    assert fb.duty_terms is not None and {c.term for c in fb.duty_terms.covered} >= {"handovers", "patient", "shift"}
    assert fb.strong_answer == "Give clear handovers of patient care at shift change"
    assert any(text.startswith("on topic") and "the job's line: 3 of" in text for _, text in fb.points)
    # As the interviewer's plan carries it: the job description's line as `job_words`.
    planned = QuestionBrief.from_question({"text": "Tell me about a handover.", "job_words": "Give clear handovers"})
    assert (planned.duty, planned.duty_source) == ("Give clear handovers", "job")
    resume = QuestionBrief.from_question({"text": "Tell me about it.", "resume_words": "Led a ward of 30 beds"})
    assert (resume.duty, resume.duty_source) == ("Led a ward of 30 beds", "resume")


def test_the_marked_set_meets_the_targets():
    marked = run_content()["marked"]
    assert marked["answers"] >= 35 and marked["sentence_split_errors"] == 0
    for part, p in marked["parts_per_answer"].items():
        assert p["precision"] >= 0.85 and p["recall"] >= 0.85, part
    for item, a in marked["items"].items():
        assert a["accuracy"] >= 0.9, item


def test_marked_bank_questions_are_the_banks_own():
    questions = json.loads((ROOT / "simulator/evaluation/data/content/questions.json").read_text())
    banks = {}
    for f in (ROOT / "prompts").glob("*.toml"):
        for q in tomllib.loads(f.read_text())["questions"]:
            banks[q["id"]] = q
    in_banks = [qid for qid in questions if qid in banks]
    assert len(in_banks) >= 20
    for qid in in_banks:
        ours, theirs = questions[qid], banks[qid]
        assert (ours["text"], ours["strong_answer"]) == (theirs["text"], theirs["strong_answer"])


def _delivery(text: str, question: QuestionBrief | None) -> Delivery:
    words = timed_words(text)
    d = Delivery(file=None, duration_s=words[-1].end + 1, transcript=text, words=words, word_count=len(words),
                 speech_s=words[-1].end, wpm=140.0, time_to_first_word_s=0.0, pauses=[], fillers=FillerCounts(),
                 fillers_per_min=0.0, speech_found=True)
    d.content = judge_content(words, question)
    return d


def test_sessions_add_up_content_and_say_what_changed():
    story = QuestionBrief("Tell me about a time you saved money.")
    measured = ("At my last job the build took forty minutes. I split the tests into eight groups. "
                "In the end the build took twelve minutes.")
    unmeasured = ("At my last job the build was slow. I split the tests into groups. In the end the build was "
                  "faster and everyone was happier.")
    before = [_delivery(unmeasured, story), _delivery(unmeasured, story)]
    now = [_delivery(measured, story), _delivery(unmeasured, story)]
    s = summarize(now)
    assert (s.content_judged, s.measured_results, s.results, s.own_actions) == (2, 1, 2, 2)
    assert "1 of 2 answers had a measured result, up from 0 of 2" in changes([before, now])


def test_the_json_view_carries_the_content_and_old_answers_say_they_were_not_judged():
    d = _delivery(ISSUE_ANSWER, ISSUE_QUESTION)
    plain = json.loads(json.dumps(d.to_dict()))
    c = plain["content"]
    assert c["judged"] and c["parts_heard"] == ["situation", "task", "result"]
    assert [p["label"] for p in c["points"]][-1] == "Next step"
    back = Delivery.from_dict(plain)
    assert back.content.points == d.content.points
    old = {k: v for k, v in plain.items() if k != "content"}
    assert "before content feedback" in Delivery.from_dict(old).content.reason


def test_the_four_views_show_the_same_content(tmp_path):
    """Stored and read back, the answer's content points appear word for word in the terminal, the
    JSON of analyze, the HTML report and the browser's answer card."""
    from html import unescape

    from simulator.report.html import render_session
    from simulator.report.terminal import print_delivery
    from simulator.store import Answer, Store
    from simulator.web.interview import WebView

    store = Store(tmp_path / "rec")
    session = store.new_session("practice", {})
    audio = store.answer_path(session.id, 1)
    audio.write_bytes(b"")
    d = _delivery(ISSUE_ANSWER, ISSUE_QUESTION)
    store.add_answer(Answer(session.id, 1, {"text": ISSUE_QUESTION.text}, audio, 12.0, "silence", delivery=d))
    store.finish_session(session.id)
    answer = store.session(session.id).answers[0]
    points = answer.delivery.content.points
    assert points == d.content.points and any(label == "Next step" for label, _ in points)

    out = Console(file=io.StringIO(), width=400, color_system=None)
    print_delivery(out, answer.delivery, None, None)
    terminal = out.file.getvalue()
    page = unescape(render_session(store.session(session.id), embed_audio=False))

    class Channel:
        analysing_at = None
        sent: list = []

        def send(self, event):
            self.sent.append(event)

    channel = Channel()
    WebView(channel).answer(answer, None)
    card = [(p["label"], p["text"]) for p in channel.sent[-1]["content"]]
    json_points = [(p["label"], p["text"]) for p in answer.delivery.to_dict()["content"]["points"]]
    assert card == json_points == points
    for label, text in points:
        assert text in page, label
        assert text in " ".join(terminal.split()), label
    from simulator.report.export import to_csv

    table = to_csv(store, [store.session(session.id)])
    assert "content_next_step" in table.splitlines()[0] and d.content.next_step.text in table


def test_a_title_with_a_full_stop_does_not_end_the_sentence():
    fb = judge_content(timed_words("I met Dr. Smith at the clinic last year. She asked me to fix the rota. "
                                   "I rebuilt it in Excel and the gaps fell by half."), None)
    assert [s.quote for s in fb.sentences][0] == "I met Dr. Smith at the clinic last year."
    assert {"Smith", "Excel"} <= set(fb.specifics) and "Dr" not in fb.specifics


def test_bench_content_prints_both_sets_and_refuses_held_out_alone():
    from conftest import run

    ran = run("bench", "--content", "--held-out", "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["marked"]["meets_targets"] and result["held_out"]["answers"] == 10
    alone = run("bench", "--held-out")
    assert alone.returncode == 2 and alone.stderr.strip().count("\n") == 0 and "--content" in alone.stderr
