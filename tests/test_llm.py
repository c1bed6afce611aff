"""The person's own model (issue 22): a real OpenAI-compatible server on loopback serving a real
model (tests/llm_server.py: SmolLM2-135M by xllamacpp). A 135M model writes poor questions, so
these tests hold the contract, not the eloquence: the address check, the schema, the grounding
check, the fallback with its one line, the time budget, a server stopped mid-session, cancellation.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import run
from simulator.errors import UserError
from simulator.interview.followups import FollowUp
from simulator.interview.interviewer import EXAMPLE, Interviewer
from simulator.interview.model_followups import (BUDGET_S, QUESTION as ONE_QUESTION, SCHEMA, check_follow_up, guide,
                                                 messages, model_follow_up, warm_up)
from simulator.llm.endpoint import ModelFailure, ask_json, check_url
from simulator.llm.grounding import as_said, grounded, phrases, quotable, words_of
from simulator.llm.schema import problems
from test_followups import delivery
from test_interviewer import answer_to

QUESTION = {"text": "Tell me about a conflict in your team.", "category": "conflict", "time_budget_s": 120}
ANSWER = ("We had a conflict in the team about code reviews. Some people wanted strict rules. We talked it "
          "through and agreed on a checklist.")
SLACK_S = 0.4  # thread start and socket shut-down, on a busy two-core machine


@pytest.fixture
def no_sockets(monkeypatch):
    """Any attempt to open a connection is recorded and stopped."""
    tried: list[object] = []

    def refuse(self, address, *a, **k):
        tried.append(address)
        raise AssertionError(f"a connection to {address} was tried")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: tried.append(a) or [])
    return tried


# -- the address: loopback only, refused before any socket ------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:11434", "http://localhost:8080/v1", "http://[::1]:8080",
                                 "http://127.0.0.2:9000/"])
def test_loopback_addresses_are_used_with_v1_added(url, no_sockets):
    model = check_url(url)
    assert model.base.endswith("/v1") and model.url.endswith("/v1")
    assert not no_sockets


@pytest.mark.parametrize("url", ["http://192.168.1.20:11434", "http://10.0.0.1", "http://ollama.example:11434",
                                 "https://8.8.8.8/v1", "http://localhost.example.org"])
def test_other_hosts_are_refused_without_a_connection(url, no_sockets):
    with pytest.raises(UserError, match="not on this machine") as refused:
        check_url(url)
    assert "--allow-remote-llm" in refused.value.hint
    assert check_url(url, allow_remote=True).host  # allowed when the person says so
    assert not no_sockets


def test_practice_refuses_a_remote_llm_in_one_line_before_anything(no_sockets, tmp_path):
    ran = run("practice", "--llm", "http://192.168.1.20:11434", "--recordings-dir", str(tmp_path / "r"))
    assert ran.returncode == 2 and "Traceback" not in ran.stderr and len(ran.stderr.strip().splitlines()) == 1
    assert "--llm 'http://192.168.1.20:11434' is not on this machine" in ran.stderr
    assert "nothing was sent" in ran.stderr
    assert not no_sockets and not (tmp_path / "r").exists()  # refused before the store, the devices, the model
    # A saved address is the setting's to name, and is refused the same way at the start.
    assert run("config", "set", "llm_url", "http://10.9.8.7:11434").returncode == 0
    ran = run("practice", "--recordings-dir", str(tmp_path / "r"))
    assert ran.returncode == 2 and "the llm_url setting 'http://10.9.8.7:11434' is not on this machine" in ran.stderr
    assert not no_sockets and not (tmp_path / "r").exists()


def test_a_bad_plan_fails_before_the_model_server_is_asked(no_sockets, tmp_path):
    ran = run("practice", "--llm", "http://127.0.0.1:11434", "--bank", "no-such-bank",
              "--recordings-dir", str(tmp_path / "r"))
    assert ran.returncode == 2 and "no-such-bank" in ran.stderr and not no_sockets


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "127.0.0.1:11434", "http://user:pw@127.0.0.1:1"])
def test_config_refuses_what_is_not_a_server_address(url):
    ran = run("config", "set", "llm_url", url)
    assert ran.returncode != 0 and "Traceback" not in ran.stderr and "llm" in ran.stderr
    assert run("config", "set", "llm_url", "http://127.0.0.1:11434").returncode == 0
    assert "llm_url = http://127.0.0.1:11434" in run("config", "show").stdout


# -- the checks on what comes back --------------------------------------------------------------------

def test_the_schema_check_names_what_is_wrong():
    assert problems({"quote": "we talked", "follow_up": "Why?"}, SCHEMA) == []
    assert problems({"quote": "we talked"}, SCHEMA) == ["the reply has no 'follow_up'"]
    assert problems({"quote": 3, "follow_up": "Why?"}, SCHEMA) == ["the reply's 'quote' is not a string"]
    assert problems({"quote": "x", "follow_up": "Why?", "extra": 1}, SCHEMA) == ["the reply has an unexpected 'extra'"]
    assert problems({"quote": "", "follow_up": "Why?"}, SCHEMA)
    assert problems(["not", "an", "object"], SCHEMA) == ["the reply is not an object"]
    with pytest.raises(ValueError):  # a keyword this check does not know is never silently passed
        problems("x", {"type": "string", "pattern": "^a"})


def test_grounding_needs_the_words_said_in_order():
    spoken = words_of(ANSWER)
    assert grounded("agreed on a checklist", spoken)
    assert grounded("Some people wanted strict rules.", spoken)
    assert not grounded("wanted rules", spoken)  # not next to each other
    assert not grounded("agreed on a plan", spoken)  # a word changed
    assert not grounded("", spoken)
    assert grounded("We had a conflict … agreed on a checklist", spoken)  # words left out, marked
    assert grounded("Some people wanted...", spoken)
    assert not grounded("agreed on a checklist … We had a conflict", spoken)  # not in the order said


def test_a_quote_nearly_as_said_is_shown_in_the_words_said_and_one_mostly_not_said_is_not():
    said = ANSWER.split()
    # A small model's usual slip: a word added ("and"), one left out ("the"): shown as said, "…" where words were left out.
    shown = as_said("We had a conflict about code reviews, and some people wanted strict rules", said)
    assert shown == "We had a conflict … about code reviews. Some people wanted strict rules"
    assert grounded(shown, words_of(ANSWER))
    assert as_said("“agreed on a checklist.”", said) == "agreed on a checklist"  # exact: the same words
    assert as_said("agreed on a strict plan", said) == ""  # 3 of 5 words said: the rest changes what was said
    assert as_said("we fired the team", said) == ""  # runs under three words are chance
    assert as_said("the team", said) == "" and as_said("", said) == ""
    # The question's words are not the answer's.
    assert as_said("Tell me about a conflict in your team", said) == ""


def test_the_quote_is_offered_as_the_answers_phrases_in_its_own_words():
    said = ("We had three days to fix the bug. I worked late with two other engineers "
            "and the tester because the fix touched the payment code that nobody had changed since twenty "
            "nineteen, um, so yes. We shipped.").split()
    offered = phrases(said)
    assert offered[0] == "We had three days to fix the bug"  # a clause, punctuation off
    assert "We shipped" not in offered and "so yes" not in offered  # under three words: chance, not a quote
    long_clause = [p for p in offered if p.startswith("I worked late")]
    assert long_clause and all(len(p.split()) <= 10 for p in offered)  # a clause too long is cut
    assert any(p.startswith("because the fix") for p in offered)  # before a joining word
    assert all(grounded(p, words_of(" ".join(said))) for p in offered)  # every one is words said, in order
    assert len(offered) == len(set(offered))
    assert quotable(["Yes."]) == {} and quotable(said) == {"enum": offered}  # never an empty list: no reply fits it
    sent = guide(delivery(ANSWER).words)
    assert sent["quote"]["enum"][0] == "We had a conflict in the team about code reviews"
    assert re.search(ONE_QUESTION, "What did the checklist say?")
    for not_one in ("What? And why?", "Tell me more.", 'What did "strict" mean?', "Why\nnot?"):
        assert not re.search(ONE_QUESTION, not_one)


def test_a_follow_up_quoting_words_not_said_is_dropped():
    d = delivery(ANSWER)
    assert check_follow_up("What was on the checklist?", "We talked it through and then agreed on a checklist",
                           QUESTION, d.words) == ("What was on the checklist?",
                                                  "We talked it through and agreed on a checklist")  # as said
    with pytest.raises(ModelFailure, match="not words you said"):
        check_follow_up("What was on the checklist?", "agreed on a strict plan", QUESTION, d.words)
    with pytest.raises(ModelFailure, match="which you did not say"):
        check_follow_up('You said "we fired them". Why?', "agreed on a checklist", QUESTION, d.words)
    with pytest.raises(ModelFailure, match="question"):
        check_follow_up("Tell me more.", "agreed on a checklist", QUESTION, d.words)
    with pytest.raises(ModelFailure, match="same question"):
        check_follow_up(QUESTION["text"][:-1] + "?", "agreed on a checklist", QUESTION, d.words)


def test_fillers_are_neither_sent_nor_quotable():
    d = delivery("Um we had a conflict, like, about code reviews and we agreed on a checklist in the end." )
    sent = messages(QUESTION, d.words)[-1]["content"]
    assert "Um" not in sent and "like," not in sent and "agreed on a checklist" in sent
    with pytest.raises(ModelFailure):
        check_follow_up("Why um?", "um we had", QUESTION, d.words)


# -- the real server ------------------------------------------------------------------------------------

def test_the_real_model_answers_in_the_schema_and_writes_a_grounded_follow_up(llm_server):
    model = check_url(llm_server).with_listed_model(5)
    assert model.model == "smollm2-135m-instruct"
    reply = ask_json(model, messages(QUESTION, delivery(ANSWER).words), SCHEMA, "follow_up", 20, 120)
    assert problems(reply.data, SCHEMA) == [] and reply.tokens
    fu = model_follow_up(model, QUESTION, delivery(ANSWER).words, budget_s=20)
    assert isinstance(fu, FollowUp) and fu.kind == "model" and fu.written_by == model.model
    assert fu.text.endswith("?") and grounded(fu.quote, words_of(ANSWER))
    assert fu.quote in phrases(ANSWER.split())  # the server followed the guide: it picked, it did not copy


def test_the_interviewer_asks_the_models_follow_up_marked_as_written_by_it(llm_server):
    model = check_url(llm_server).with_listed_model(5)
    warm_up(model).join(30)  # as an interview does while the interviewer greets
    interviewer = Interviewer(questions=3, seed=4, model=model)
    notes: list[str] = []
    interviewer.on_note = notes.append
    turns = [interviewer.next_turn(None), interviewer.next_turn(None)]  # greeting, warm-up
    main = interviewer.next_turn(answer_to(turns[1], delivery(ANSWER)))
    main.question["text"] = QUESTION["text"]  # the answer above is to this question
    start = time.monotonic()
    follow = interviewer.next_turn(answer_to(main, delivery(ANSWER)))
    took = time.monotonic() - start
    assert took < BUDGET_S + SLACK_S, took
    if notes:  # the small model may miss the budget on a busy machine: then the rule, said in one line
        assert follow.question.get("written_by") is None and len(notes) == 1 and "\n" not in notes[0]
        pytest.fail(f"the model's follow-up was not used: {notes[0]} (in {took:.2f} s)")
    q = follow.question
    assert q["role"] == "follow-up" and q["kind"] == "model" and q["written_by"] == "smollm2-135m-instruct"
    assert grounded(q["quote"], words_of(ANSWER)) and follow.text.endswith("?")
    assert interviewer.settings()["llm"]["model"] == "smollm2-135m-instruct"


def _fallback(url: str, model_name: str = "") -> tuple[object, list[str], float]:
    """The turn after a short main answer with the model at `url`: (turn, notes, seconds taken)."""
    model = check_url(url)
    if model_name:
        from dataclasses import replace

        model = replace(model, model=model_name)
    interviewer = Interviewer(questions=3, seed=4, model=model)
    notes: list[str] = []
    interviewer.on_note = notes.append
    interviewer.next_turn(None)
    warm_up = interviewer.next_turn(None)
    main = interviewer.next_turn(answer_to(warm_up, delivery("I am fine thanks.")))
    start = time.monotonic()
    turn = interviewer.next_turn(answer_to(main, delivery("I am good at my job")))
    return turn, notes, time.monotonic() - start


def _assert_rules_asked(turn, notes: list[str], reason: str) -> None:
    assert turn.text == EXAMPLE and "written_by" not in turn.question  # the rule for a short answer
    assert len(notes) == 1 and "\n" not in notes[0], notes
    assert "your model's follow-up was not used" in notes[0] and reason in notes[0], notes


def test_a_slow_model_is_cancelled_at_the_budget_and_the_rule_is_asked(llm_server):
    turn, notes, took = _fallback(llm_server, "slow")
    assert BUDGET_S - 0.05 <= took < BUDGET_S + SLACK_S, took
    _assert_rules_asked(turn, notes, "no answer within 2.5 s")
    deadline = time.monotonic() + 1.0  # cancelled: the worker's socket was shut, so it ends now
    while any(t.name == "local-model" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(t.name == "local-model" for t in threading.enumerate()), "the call was not cancelled"


def test_a_reply_that_is_not_json_falls_back_to_the_rules(llm_server):
    turn, notes, took = _fallback(llm_server, "prose")
    assert took < BUDGET_S
    _assert_rules_asked(turn, notes, "not JSON")


def test_a_refused_connection_falls_back_at_once():
    from llm_server import free_port

    turn, notes, took = _fallback(f"http://127.0.0.1:{free_port()}", "any")
    assert took < 1.0, took
    _assert_rules_asked(turn, notes, "nothing is listening")


def test_a_server_stopped_mid_session_falls_back_without_waiting(tmp_path):
    from llm_server import start

    process, url = start(tmp_path / "server.log")
    try:
        model = check_url(url).with_listed_model(5)
        assert ask_json(model, messages(QUESTION, delivery(ANSWER).words), SCHEMA, "follow_up", 20, 120).data
    finally:
        process.kill()
        process.wait(10)
    turn, notes, took = _fallback(url, model.model)
    assert took < 1.0, took
    _assert_rules_asked(turn, notes, "nothing is listening")


# -- content feedback written by the model ------------------------------------------------------------

STRONG = {**QUESTION, "strong_answer": "The conflict, what you did to resolve it, and what changed for the team."}


def _answer(text: str = ANSWER, number: int = 2):
    from pathlib import Path

    from simulator.store import Answer

    return Answer(session_id="s", number=number, question=STRONG, audio=Path("/tmp/x.wav"), duration_s=10.0,
                  stopped_by="silence", delivery=delivery(text))


def test_feedback_is_sent_as_documented_and_the_reply_is_held_to_its_schema():
    from simulator.delivery.content import QuestionBrief
    from simulator.delivery.model_feedback import SCHEMA as FEEDBACK_SCHEMA
    from simulator.delivery.model_feedback import messages as feedback_messages

    sent = feedback_messages(QuestionBrief.from_question(STRONG), delivery("Um we had a conflict, uh, in the team.").words)
    assert sent[-1] == {"role": "user", "content": f"Question: {QUESTION['text']}\nA strong answer covers: "
                                                   f"{STRONG['strong_answer']}\nAnswer: we had a conflict, in the team."}
    assert problems({"assessment": "Good.", "quote": "we had", "next_step": "More.", "outline": []},
                    FEEDBACK_SCHEMA) == ["the reply's 'outline' has fewer than 1 items"]
    assert problems({"assessment": "Good.", "quote": "x", "next_step": "y", "outline": ["z"], "score": 9},
                    FEEDBACK_SCHEMA) == ["the reply has an unexpected 'score'"]


def test_feedback_items_quoting_words_not_said_are_dropped_and_the_rest_kept():
    from simulator.delivery.model_feedback import ModelFeedback, check_feedback

    words = delivery(ANSWER).words
    fb = check_feedback({"assessment": "It names the conflict.", "quote": "we agreed on strict rules",
                         "next_step": "Say what you did yourself.",
                         "outline": ["The conflict", 'You said "we fixed it fast"', "The conflict", "What changed"]},
                        words, "m")
    assert fb.assessment == "" and fb.quote == ""  # its quote is not words of the answer
    assert fb.next_step == "Say what you did yourself." and fb.outline == ["The conflict", "What changed"]
    assert len(fb.dropped) == 2 and "is not words you said" in fb.dropped[0] and "did not say" in fb.dropped[1]
    kept = check_feedback({"assessment": 'It says "agreed on a checklist".', "quote": "talked it through",
                           "next_step": "x", "outline": ["y"]}, words, "m")
    assert kept.assessment and kept.quote == "talked it through"
    assert ModelFeedback.from_dict(kept.to_dict()) == kept and kept.points[0][0] == "What it covered"
    with pytest.raises(ModelFailure, match="is not words you said"):
        check_feedback({"assessment": "a", "quote": "never said", "next_step": '"never said"',
                        "outline": ['"never said"']}, words, "m")


def test_the_real_model_writes_feedback_that_is_checked_and_stored_typed(llm_server, tmp_path):
    from simulator.delivery.content import QuestionBrief
    from simulator.delivery.model_feedback import SCHEMA as FEEDBACK_SCHEMA
    from simulator.delivery.model_feedback import ModelFeedback, model_feedback
    from simulator.delivery.model_feedback import messages as feedback_messages
    from simulator.store import Store

    model = check_url(llm_server).with_listed_model(5)
    brief, words = QuestionBrief.from_question(STRONG), delivery(ANSWER).words
    reply = ask_json(model, feedback_messages(brief, words), FEEDBACK_SCHEMA, "content_feedback", 30, 400)
    assert problems(reply.data, FEEDBACK_SCHEMA) == []
    try:
        fb = model_feedback(model, brief, words, budget_s=30)
    except ModelFailure as exc:  # every item ungrounded: a poor reply, but the checks did their part
        pytest.fail(f"the model's feedback was not kept: {exc.reason}")
    assert fb.written_by == "smollm2-135m-instruct" and fb.points
    assert not fb.assessment or grounded(fb.quote, words_of(ANSWER))
    store = Store(tmp_path)
    session = store.new_session("practice", {})
    answer = _answer()
    answer.session_id, answer.audio = session.id, store.answer_path(session.id, 2)
    store.add_answer(answer)
    store.set_model_feedback(session.id, 2, fb)
    back = Store(tmp_path).session(session.id).answers[0].model_feedback
    assert isinstance(back, ModelFeedback) and back == fb
    from simulator.report.export import session_dict

    exported = session_dict(store, store.session(session.id))["answers"][0]
    assert exported["model_feedback"] == fb.to_dict()  # the JSON export carries it, marked by written_by


def test_feedback_from_a_dead_server_is_dropped_in_one_line_without_a_wait():
    from llm_server import free_port
    from simulator.interview.feedback_writer import FeedbackWriter

    notes: list[str] = []
    dead = FeedbackWriter(check_url(f"http://127.0.0.1:{free_port()}"), notes.append)
    start = time.monotonic()
    dead.start(_answer())
    dead.start(_answer("Fine, thanks.", 3))  # under 15 words: not sent at all
    assert time.monotonic() - start < 0.1  # the interview goes on at once
    assert dead.finish(wait_s=2.0) == [] and time.monotonic() - start < 1.0
    assert len(notes) == 1 and "\n" not in notes[0] and "feedback on answer 2 was not used" in notes[0]
    assert "nothing is listening" in notes[0] and "the rules' feedback stands" in notes[0]


def test_feedback_not_ready_is_dropped_at_the_next_follow_up_and_at_the_end(llm_server):
    from dataclasses import replace

    from simulator.interview.feedback_writer import FeedbackWriter

    notes: list[str] = []
    slow = FeedbackWriter(replace(check_url(llm_server), model="slow"), notes.append)
    slow.start(_answer())
    assert slow.ready() == [] and notes == []  # not ready: nothing waits, nothing is said yet
    slow.clear_way()  # the model is asked for a follow-up now: it has the server to itself
    assert len(notes) == 1 and "not ready when your model was asked for the next follow-up" in notes[0]
    slow.start(_answer(number=4))
    start = time.monotonic()
    assert slow.finish(wait_s=0.5) == []
    assert 0.45 <= time.monotonic() - start < 0.5 + SLACK_S
    assert len(notes) == 2 and "feedback on answer 4 was not used (not ready 0.5 s after the last answer)" in notes[1]
    deadline = time.monotonic() + 1.0  # cancelled: the worker's socket was shut
    while any(t.name == "local-model" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(t.name == "local-model" for t in threading.enumerate()), "the call was not cancelled"


# -- a practice run through the virtual microphone ------------------------------------------------------

LISTENING = "Recording: speak now"
# An answer to the question asked: asked about words that answer nothing (a LibriVox sentence), a
# 135M model writes about a story it makes up.
DEADLINE_ANSWER = ("We had three days to fix a bug before a big demo. I worked late with two other engineers, and "
                   "we fixed it the night before.")


@pytest.mark.audio
@pytest.mark.model
def test_practice_asks_the_models_follow_up_then_falls_back_when_the_server_stops(virtual_audio, recordings,
                                                                                   tmp_path):
    """Two main questions: the model writes the first follow-up, and its content feedback on the first main answer comes while the follow-up is
    answered; the server is stopped while the second main answer is taken, so the rules'
    follow-up comes, said in one line, at once.

    The first main answer answers its question ("Describe a time you had to deliver under a very
    tight deadline.", seed 1), spoken by espeak-ng."""
    import json
    import subprocess

    import soundfile

    from conftest import DATA, VENV_BIN, cli
    from llm_server import start

    samples, rate = soundfile.read(str(DATA / "jfk.wav"), dtype="float32")
    short = tmp_path / "short.wav"
    soundfile.write(str(short), samples[: int(3.5 * rate)], rate)  # "And so, my fellow Americans"
    deadline = tmp_path / "deadline.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(deadline), DEADLINE_ANSWER], check=True, timeout=30)
    answers = [short, deadline, short, short, short, short]
    process, url = start(tmp_path / "server.log")
    app = subprocess.Popen(
        [str(VENV_BIN / "interview-sim"), "practice", "--questions", "4", "--seed", "1", "--silence-stop", "1",
         "--max-answer", "30", "--no-speak", "--recordings-dir", str(recordings), "--llm", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[tuple[float, str]] = []
    played = 0
    try:
        for line in app.stdout:
            lines.append((time.monotonic(), line))
            if LISTENING in line and played < len(answers):
                time.sleep(0.3)
                subprocess.run(["paplay", "--device=mic_feed", str(answers[played])], check=True, timeout=60)
                if played == 3:  # the second main answer is said: the server goes away before its silence ends
                    process.kill()
                    process.wait(10)
                played += 1
        app.wait(timeout=60)
    finally:
        for p in (app, process):
            if p.poll() is None:
                p.kill()
    out = "".join(text for _, text in lines)
    assert app.returncode == 0 and played == 6, out

    session_id = json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)[0]["id"]
    from simulator.store import Store

    stored = Store(recordings).session(session_id).answers
    questions = [a.question for a in stored]
    assert [q["role"] for q in questions] == ["warm-up", "main", "follow-up", "main", "follow-up", "closing"], out
    model_written, rules_written = questions[2], questions[4]
    warned = [k for k, (_, text) in enumerate(lines) if "your model's follow-up was not used" in text]
    # The model's follow-up, required: its quote is picked from the answer's phrases (the guide), so
    # a word of the live transcript heard otherwise ("have" for "had") no longer sends it to a quote
    # the person did not say (it passed 10 of 10 such variants here; 2 of 3 live before the guide).
    assert model_written["written_by"] == "smollm2-135m-instruct", out
    assert grounded(model_written["quote"], words_of(stored[1].delivery.transcript)), model_written
    assert "follow-up written by your model, smollm2-135m-instruct" in out
    assert len(warned) == 1, out
    assert "written_by" not in rules_written and rules_written["text"] == EXAMPLE
    # The model's content feedback: on the long main answer only (the others are under 15 words: not sent).
    from simulator.delivery.model_feedback import ModelFeedback

    assert [a.number for a in stored if a.model_feedback is not None] == [2], out
    assert isinstance(stored[1].model_feedback, ModelFeedback) and stored[1].model_feedback.points
    assert out.count("Content feedback on answer 2, written by your model, smollm2-135m-instruct:") == 1, out
    assert out.count("your model's feedback on answer") <= 1, out  # an item the checks dropped: said in one line
    assert "nothing is listening" in " ".join("".join(t for _, t in lines[warned[-1]: warned[-1] + 3]).split()), out
    # No pause past the budget: from the second main answer's last line to the rules' follow-up.
    analysed = max(k for k in range(warned[-1]) if "transcribed with" in lines[k][1])
    asked = next(k for k in range(warned[-1], len(lines)) if f"Interviewer: {EXAMPLE}" in lines[k][1])
    assert lines[asked][0] - lines[analysed][0] < BUDGET_S, out

    shown = cli("report", session_id, "--recordings-dir", str(recordings))  # read back, shown marked
    assert shown.returncode == 0 and "Content feedback on answer 2, written by your model, smollm2" in shown.stdout
    html = cli("report", session_id, "--html", str(tmp_path / "r.html"), "--recordings-dir", str(recordings))
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("Follow-up written by your model (smollm2-135m-instruct)") == (1 if model_written.get("written_by") else 0)
    assert page.count("Content feedback written by your model, smollm2-135m-instruct") == 1


@pytest.mark.audio
@pytest.mark.model
def test_practice_with_a_job_asks_the_models_plan_question_marked(virtual_audio, recordings, llm_server, tmp_path):
    """The practice start: the model is asked for the plan before the greeting, its question is
    asked marked in the terminal, said at the start, stored with `written_by`, and marked in the
    HTML report."""
    import json
    import subprocess

    import soundfile

    from conftest import DATA, VENV_BIN, cli

    samples, rate = soundfile.read(str(DATA / "jfk.wav"), dtype="float32")
    short = tmp_path / "short.wav"
    soundfile.write(str(short), samples[: int(3.5 * rate)], rate)
    job = tmp_path / "job.txt"
    job.write_text(EASY_JOB)
    app = subprocess.Popen(
        [str(VENV_BIN / "interview-sim"), "practice", "--questions", "3", "--seed", "3", "--silence-stop", "1",
         "--max-answer", "20", "--no-speak", "--recordings-dir", str(recordings), "--llm", llm_server,
         "--job", str(job)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        for line in app.stdout:
            lines.append(line)
            if LISTENING in line:
                time.sleep(0.3)
                subprocess.run(["paplay", "--device=mic_feed", str(short)], check=True, timeout=60)
        app.wait(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
    out = "".join(lines)
    assert app.returncode == 0, out
    session_id = json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)[0]["id"]
    from simulator.store import Store

    mains = [a.question for a in Store(recordings).session(session_id).answers if a.question["role"] == "main"]
    assert len(mains) == 1, out
    if mains[0].get("written_by") is None:  # the small model wrote nothing usable: one line said so
        assert out.count("your model's plan was not used") == 1, out
        pytest.fail("the model's plan question was not used:\n" + out)
    q = mains[0]
    assert q["written_by"] == "smollm2-135m-instruct" and q["bank"] == "model" and q["why"], q
    assert "1 main question was written by your model" in out, out
    assert f"(question written by your model, smollm2-135m-instruct: {q['why']})" in " ".join(out.split()), out
    html = cli("report", session_id, "--html", str(tmp_path / "r.html"), "--recordings-dir", str(recordings))
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("Question written by your model (smollm2-135m-instruct)") == 1


# -- doctor -------------------------------------------------------------------------------------------------

def test_doctor_refuses_a_remote_server_without_a_connection(no_sockets):
    from simulator.doctor import check_local_model

    refused = check_local_model("http://192.168.1.20:11434", None, False)
    assert refused.status == "fail" and "not on this machine" in refused.detail and "--allow-remote-llm" in refused.fix
    assert not no_sockets


def test_doctor_says_whether_the_server_answers_which_model_and_how_fast(llm_server):
    from llm_server import free_port
    from simulator.doctor import check_local_model

    found = check_local_model(llm_server, None, False)
    assert found.status in ("ok", "warn"), found
    assert "smollm2-135m-instruct" in found.detail and "tokens/s" in found.detail and "a follow-up in" in found.detail
    absent = check_local_model(llm_server, "llama3", False)
    assert absent.status == "fail" and "does not serve 'llama3'" in absent.detail
    down = check_local_model(f"http://127.0.0.1:{free_port()}", None, False)
    assert down.status == "fail" and "does not answer" in down.detail and "ollama serve" in down.fix


# -- the browser ------------------------------------------------------------------------------------------

# Two sentences answering the browser test's question ("What motivates you to do your best work?",
# seed 3): its follow-up and feedback passed the checks for 6 of 6 variants of the words heard.
MOTIVATION_ANSWER = ("What motivates me is seeing people use what I build. Last year I rebuilt our booking page, "
                     "and the complaints fell by half.")


@pytest.mark.browser
@pytest.mark.model
def test_a_browser_interview_shows_the_models_follow_up_marked_as_written_by_it(llm_server, tmp_path):
    """The start page's model address; the follow-up after the answer (Chromium's fake microphone
    plays MOTIVATION_ANSWER, spoken by espeak-ng) is the model's, and so is the content feedback
    added to the answer's card, marked on the page, in the store and in the report.

    Not jfk.wav: decoded live, its one sentence sometimes comes with no full stop, and an answer
    of one sentence is too short for content feedback (simulator.delivery.content)."""
    import json
    import subprocess

    from playwright.sync_api import sync_playwright

    from test_web import Server, _launch, _rows, _start

    answer = tmp_path / "motivation.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(answer), MOTIVATION_ANSWER], check=True, timeout=30)
    server = Server(tmp_path / "recordings")
    try:
        with sync_playwright() as p:
            browser = _launch(p, answer)
            page = browser.new_page(bypass_csp=True)  # wait_for_function evaluates text
            _start(page, server, llm_url=llm_server, questions=1, seed=3, silence_stop_s=2.5, max_answer_s=40)
            page.click("#begin")
            page.wait_for_selector("#card-1", timeout=120_000)
            page.wait_for_function("document.getElementById('qhead').textContent === 'Follow-up'", timeout=60_000)
            reason = page.text_content("#reason")
            assert reason.startswith("(written by your model, smollm2-135m-instruct, about"), reason
            page.wait_for_function("!document.getElementById('finish').disabled", timeout=60_000)
            page.click("#finish")
            page.wait_for_selector("#report-link", timeout=120_000)
            # The model's content feedback on the main answer (answer 1), added to its card.
            assert page.text_content("#card-1 .model-feedback h3") == \
                "Content feedback written by your model, smollm2-135m-instruct"
            page.click("#report-link")
            page.wait_for_selector("section.answer#answer-2")
            assert "Follow-up written by your model (smollm2-135m-instruct)" in page.text_content("#answer-2")
            assert "Content feedback written by your model, smollm2" in page.text_content("#answer-1")
            browser.close()
    finally:
        server.stop()
    (question,), = _rows(server.root, "SELECT question FROM answers WHERE number = 2")
    question = json.loads(question)
    (written, delivery), = _rows(server.root, "SELECT model_feedback, delivery FROM answers WHERE number = 1")
    assert json.loads(written)["written_by"] == "smollm2-135m-instruct"
    assert question["written_by"] == "smollm2-135m-instruct" and question["kind"] == "model"
    # Words of the answer as heard (Whisper may hear "rebuild" for "rebuilt"), not as scripted.
    assert grounded(question["quote"], words_of(json.loads(delivery)["transcript"])), question["quote"]


@pytest.mark.browser
@pytest.mark.model
def test_a_browser_interview_falls_back_to_the_rules_when_the_server_stops_mid_answer(tmp_path):
    """The server answers at the start (its warm-up is sent) and is stopped while the answer is
    recorded: the rules' follow-up comes within the budget, and the page says in one line why."""
    import json
    import subprocess

    from playwright.sync_api import sync_playwright

    from llm_server import start
    from test_web import Server, _launch, _start

    answer = tmp_path / "motivation.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(answer), MOTIVATION_ANSWER], check=True, timeout=30)
    process, url = start(tmp_path / "server.log")
    server = Server(tmp_path / "recordings")
    try:
        with sync_playwright() as p:
            browser = _launch(p, answer)
            page = browser.new_page(bypass_csp=True)
            # Every event the page is sent, with when it came: its error and status lines show only
            # the latest, and "Answer recorded" is replaced by the next note within milliseconds.
            events: list[tuple[float, dict]] = []

            def on_frame(payload):
                event = json.loads(payload) if isinstance(payload, str) else {}
                if isinstance(event, dict):
                    events.append((time.monotonic(), event))

            page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
            _start(page, server, llm_url=url, questions=1, seed=3, silence_stop_s=2.5, max_answer_s=40)
            page.click("#begin")
            page.wait_for_function("document.body.classList.contains('recording')", timeout=120_000)
            process.kill()
            process.wait(10)
            page.wait_for_function("document.getElementById('qhead').textContent === 'Follow-up'", timeout=120_000)
            reason = page.text_content("#reason")
            browser.close()
    finally:
        server.stop()
        if process.poll() is None:
            process.kill()
    assert not reason.startswith("(written by your model"), reason
    warnings = [" ".join(str(e.get("text")).split()) for _, e in events if e.get("type") == "warn"]
    fell_back = [w for w in warnings if w.startswith("your model's follow-up was not used")]
    assert len(fell_back) == 1 and "(nothing is listening" in fell_back[0], warnings
    # From the answer's end to the rules' follow-up: the analysis, then no wait on the dead server.
    recorded = next(t for t, e in events if e.get("type") == "stopped")
    asked = next(t for t, e in events if e.get("type") == "question" and e.get("reason") and t > recorded)
    assert asked - recorded < BUDGET_S + 2.0, asked - recorded


@pytest.mark.browser
@pytest.mark.model
def test_a_browser_interview_with_a_job_shows_the_models_plan_question_marked(llm_server, tmp_path):
    """The start page's job and model address: the preview shows the model's question marked, and
    the interview's first question is the model's, marked under it with its why, as `practice`
    asks it (the browser goes through the same door)."""
    import re

    from playwright.sync_api import sync_playwright

    from conftest import DATA
    from test_web import Server, _launch

    server = Server(tmp_path / "recordings")
    try:
        with sync_playwright() as p:
            browser = _launch(p, DATA / "jfk.wav")
            page = browser.new_page(bypass_csp=True)  # wait_for_function evaluates text
            page.goto(server.url("/"))
            page.fill("textarea[name=job]", EASY_JOB)
            for name, value in {"llm_url": llm_server, "questions": 1, "seed": 3}.items():
                page.fill(f"input[name={name}]", str(value))
            page.click("#preview")  # the preview asks the model as the interview will, and marks its question
            page.wait_for_selector("#plan li.planned", timeout=30_000)
            planned = page.text_content("#plan")
            assert "written by your model, smollm2-135m-instruct" in planned, planned
            assert "Your model is asked again when the interview starts" in planned, planned
            page.click("#start")
            page.wait_for_url(re.compile(r"/interview"))
            page.click("#begin")
            page.wait_for_function("document.getElementById('qhead').textContent.startsWith('Question 1 of 1')",
                                   timeout=60_000)
            reason = page.text_content("#reason")
            assert reason.startswith("(written by your model, smollm2-135m-instruct) Why this question: "), reason
            browser.close()
    finally:
        server.stop()


# -- bench ------------------------------------------------------------------------------------------------

def test_bench_times_follow_ups_and_feedback_from_the_model_and_counts_those_that_pass(llm_server):
    import json

    ran = run("bench", "--follow-ups", "--limit", "2", "--json", "--llm", llm_server)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["model"].startswith("smollm2-135m-instruct at http://127.0.0.1:") and result["answers"] == 2
    assert result["budget_s"] == BUDGET_S and 0 < result["median_s"] <= result["max_s"] < 30
    assert result["passed_checks"] == sum(1 for r in result["rows"] if r["follow_up"])
    assert all(r["follow_up"] or r["reason"] for r in result["rows"])
    feedback = result["feedback"]  # beside it, the time to each answer's content feedback
    assert feedback["budget_s"] == 20.0 and 0 < feedback["median_s"] <= feedback["max_s"] < 30
    assert feedback["passed_checks"] == sum(1 for r in result["rows"] if r["feedback"])
    assert all(r["feedback"] or r["feedback_reason"] for r in result["rows"])


def test_bench_refuses_a_remote_model_before_sending(no_sockets):
    ran = run("bench", "--follow-ups", "--llm", "http://10.0.0.1:11434")
    assert ran.returncode != 0 and "not on this machine" in ran.stderr and not no_sockets


# -- a plan written by the model ----------------------------------------------------------------------

JOBS = Path(__file__).parent / "data" / "jobs"
# A short job whose every line is its point: a why from any of it names one of its words.
EASY_JOB = ("Senior data analyst. You will build SQL reports for the finance team and present findings to "
            "directors. Experience with Python and dashboards.")


def _mains(interviewer) -> list[dict]:
    return [t.question for t in interviewer.turns if t.question is not None and t.question["role"] == "main"]


def _planned(url: str, job: str, model_name: str = ""):
    """(the rules' plan, the plan after the model was asked, its notes, seconds the asking took)."""
    from dataclasses import replace

    from simulator.interview.interviewer import plan_for_job

    model = check_url(url)
    model = replace(model, model=model_name) if model_name else model.with_listed_model(5)
    rules = plan_for_job(job, questions=5, seed=3)
    interviewer = plan_for_job(job, questions=5, seed=3, model=model)
    notes: list[str] = []
    start = time.monotonic()
    interviewer.write_plan_with_model(job, None, notes.append)
    return rules, interviewer, notes, time.monotonic() - start


def _assert_contract(rules, interviewer, notes: list[str], job: str) -> list[dict]:
    """The plan keeps its count; the model's questions passed the checks and take the first slots,
    the rules' questions keep the others; every note is one line. The model's questions are returned."""
    from simulator.interview.model_plan import check_question

    mains, rules_mains = _mains(interviewer), _mains(rules)
    assert len(mains) == len(rules_mains) == 3
    written = [q for q in mains if q.get("written_by")]
    for q in written:
        assert q["written_by"] == "smollm2-135m-instruct" and q["bank"] == "model" and q["why"]
        others = [words_of(o["text"]) for o in mains if o is not q]
        assert check_question(q["text"], q["why"], job, "", others).text == q["text"]
    assert [q["text"] for q in mains[len(written):]] == [q["text"] for q in rules_mains[len(written):]]
    assert all("\n" not in n for n in notes) and len(notes) <= 1, notes
    return written


def test_the_model_writes_plan_questions_that_pass_the_checks_or_the_rules_plan_stands(llm_server):
    from simulator.interview.model_plan import BUDGET_S

    job = (JOBS / "backend-engineer.txt").read_text()
    rules, interviewer, notes, took = _planned(llm_server, job)
    assert took < BUDGET_S + SLACK_S, took
    written = _assert_contract(rules, interviewer, notes, job)
    if not written:  # the small model may write nothing usable: then one line says so, and the rules plan
        assert notes and "your model's plan was not used" in notes[0] and "the rules' questions are asked" in notes[0]
        assert [q["text"] for q in _mains(interviewer)] == [q["text"] for q in _mains(rules)]


def test_a_model_written_plan_question_lands_marked_in_the_plan_view(llm_server):
    from simulator.interview.model_plan import BUDGET_S
    from simulator.interview.plan_view import plan_dict, plan_lines

    rules, interviewer, notes, took = _planned(llm_server, EASY_JOB)
    assert took < BUDGET_S + SLACK_S, took
    written = _assert_contract(rules, interviewer, notes, EASY_JOB)
    assert written, notes
    first = plan_dict(interviewer)["questions"][1]  # after the warm-up
    assert first["text"] == written[0]["text"] and first["written_by"] == "smollm2-135m-instruct"
    lines = plan_lines(interviewer)
    at = lines.index(next(ln for ln in lines if ln.endswith(written[0]["text"])))
    assert lines[at + 1] == "   written by your model, smollm2-135m-instruct"
    assert lines[at + 2] == f"   why: {written[0]['why']}"
    assert sum("written by your model" in ln for ln in lines) == len(written)


def test_a_model_written_plan_question_is_marked_when_asked_and_in_the_report():
    from rich.console import Console

    from simulator.interview.session import Turn
    from simulator.report.html import _written_by
    from simulator.report.terminal import TerminalView

    q = {"text": "How do you build SQL reports?", "category": "job", "time_budget_s": 90, "role": "main",
         "bank": "model", "id": "model-1", "why": "the job builds SQL reports", "written_by": "smollm2"}
    out = Console(record=True, width=200)
    TerminalView(out).question(2, 5, Turn(q["text"], question=q, number=2))
    shown = out.export_text()
    assert "Question 2 of 5" in shown and "(question written by your model, smollm2: the job builds SQL reports)" in shown
    assert _written_by(q).startswith('<div class="meta written-by">Question written by your model (smollm2)')


def test_the_plan_command_asks_the_model_and_shows_its_questions_marked(llm_server, tmp_path):
    job = tmp_path / "job.txt"
    job.write_text(EASY_JOB)
    ran = run("plan", "--job", str(job), "--seed", "3", "--llm", llm_server)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    marks = [i for i, ln in enumerate(lines) if ln == "   written by your model, smollm2-135m-instruct"]
    assert marks, ran.stdout + ran.stderr  # the same reply as the landing test above: temperature 0
    assert all(lines[i - 1].startswith(f"{n + 2}. [model/job, ") for n, i in enumerate(marks))
    assert all(lines[i + 1].startswith("   why: ") for i in marks)
    assert ran.stderr.count("\n") <= 1  # at most the one line on what was not used
    ran = run("plan", "--job", str(job), "--llm", "http://192.168.1.20:11434")
    assert ran.returncode == 2 and "is not on this machine" in ran.stderr


def test_plan_questions_failing_the_checks_are_dropped_one_by_one():
    from simulator.interview.model_plan import check_question

    seen = [words_of("Tell me about yourself?")]
    with pytest.raises(ModelFailure, match="is not a question"):
        check_question("Tell me about SQL reports.", "the job's SQL reports", EASY_JOB, "", seen)
    with pytest.raises(ModelFailure, match="asked twice"):
        check_question("Tell me about yourself?", "the job's SQL reports", EASY_JOB, "", seen)
    with pytest.raises(ModelFailure, match="copied the worked example"):
        check_question("What is your SQL?", "the job plans shifts for twelve", "plans shifts", "", seen)
    with pytest.raises(ModelFailure, match="names no word"):
        check_question("What do you enjoy most?", "because it is a good question", EASY_JOB, "", seen)
    kept = check_question("How do you build SQL reports?", "the job builds SQL reports", EASY_JOB, "", seen)
    assert kept.words == "sql, reports" and kept.source == "job"
    assert check_question("What did you ship at the bank?", "your résumé's bank work", "", "I worked at a bank.",
                          seen).source == "resume"


def test_a_closed_port_leaves_the_rules_plan_at_once_said_in_one_line():
    from llm_server import free_port

    rules, interviewer, notes, took = _planned(f"http://127.0.0.1:{free_port()}", EASY_JOB, "any")
    assert took < 1.0, took
    assert [t.text for t in interviewer.turns] == [t.text for t in rules.turns]
    assert not any(q.get("written_by") for q in _mains(interviewer))
    assert len(notes) == 1 and "\n" not in notes[0], notes
    assert notes[0].startswith("your model's plan was not used (nothing is listening") and "rules'" in notes[0]


def test_a_slow_model_leaves_the_rules_plan_at_the_budget(llm_server):
    from simulator.interview.model_plan import BUDGET_S

    rules, interviewer, notes, took = _planned(llm_server, EASY_JOB, "slow")
    assert BUDGET_S - 0.05 <= took < BUDGET_S + SLACK_S, took
    assert [t.text for t in interviewer.turns] == [t.text for t in rules.turns]
    assert len(notes) == 1 and f"no answer within {BUDGET_S:g} s" in notes[0], notes


def test_a_plan_reply_that_is_not_json_leaves_the_rules_plan(llm_server):
    rules, interviewer, notes, took = _planned(llm_server, EASY_JOB, "prose")
    assert took < 1.0, took
    assert [t.text for t in interviewer.turns] == [t.text for t in rules.turns]
    assert len(notes) == 1 and "not JSON" in notes[0], notes
