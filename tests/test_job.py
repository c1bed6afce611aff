"""Preparing for a job: the skills a job description names, and a plan that covers them (issue 14)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from conftest import run
from speech_lint import speech_problems

from simulator.errors import UserError
from simulator.interview.interviewer import Interviewer
from simulator.interview.job import (GENERAL_FIELD, JOB_BANK, fits, load_skills, read_job, read_job_file,
                                     seniority_of)

JOBS = Path(__file__).parent / "data" / "jobs"
EXPECTED = tomllib.loads((JOBS / "expected.toml").read_text())


@pytest.fixture(scope="module")
def skills():
    return load_skills()


@pytest.fixture(scope="module")
def jobs(skills):
    return {name: read_job((JOBS / f"{name}.txt").read_text(), skills) for name in EXPECTED}


def test_eight_kinds_of_job_are_tested():
    assert len(EXPECTED) >= 8
    assert {"nurse", "data-analyst", "backend-engineer", "sales-representative", "teacher", "barista",
            "project-manager", "graduate-trainee"} <= set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_named_skill_is_found(jobs, name):
    found = {n.skill.id for n in jobs[name].skills}
    assert set(EXPECTED[name]["skills"]) <= found, set(EXPECTED[name]["skills"]) - found
    for n in jobs[name].skills:  # the words it came from are the job description's own
        assert n.words.lower() in (JOBS / f"{name}.txt").read_text().lower()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plan_covers_the_skills_and_stays_in_the_field(jobs, skills, name):
    job = jobs[name]
    expected = EXPECTED[name]
    count = 2 + math.ceil(1.5 * len(expected["skills"]))
    interviewer = Interviewer(questions=count, seed=7, job=job)
    asked = [t.question for t in interviewer.turns if t.question is not None]
    by_id = {s.id: s for s in skills.skills}
    covered = {sid for sid in by_id if any(q["id"].startswith(f"job-{sid}-") for q in asked)}
    assert set(expected["skills"]) <= covered, set(expected["skills"]) - covered
    for q in asked:
        assert q["bank"] not in expected["never"], (q["bank"], q["text"])
        if q["role"] == "main":
            assert q["why"], q
        if q["bank"] == JOB_BANK:
            assert q.get("job_words") and q["job_words"].lower() in (JOBS / f"{name}.txt").read_text().lower()
    for sid in covered:  # never a skill of another field
        assert GENERAL_FIELD in by_id[sid].fields or set(by_id[sid].fields) & set(job.fields)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_short_plan_asks_about_the_first_duties_with_a_skills_depth(jobs, name):
    """Three main questions: the job's first three duties as it lists them (a line's second duty after
    every line's first), each said back; a duty
    naming a skill of the list that fits the job is asked with that skill's question."""
    job = jobs[name]
    interviewer = Interviewer(seed=1, job=job)
    asked = [t.question for t in interviewer.turns if t.question and t.question["role"] == "main"]
    first = [ln.words for ln in sorted((ln for ln in job.lines if ln.kind == "duty"), key=lambda ln: ln.part)][:3]
    assert len(asked) == 3 and {q["job_words"] for q in asked} == set(first)
    said = {line.words: line.said for line in job.lines}
    for q in asked:
        assert q["text"].startswith(said[q["job_words"]]), q["text"]
        fitting = [n for n in job.skills if fits(n.skill, job) and n.words.lower() in q["job_words"].lower()]
        assert q["id"].startswith("job-") == bool(fitting), (q["id"], fitting)


def test_fields_banks_and_seniority(jobs):
    assert jobs["data-analyst"].banks == ("data-analysis",)
    assert jobs["backend-engineer"].banks == ("software-engineering",)
    assert jobs["teacher"].banks == ("teaching",)
    assert jobs["nurse"].fields == ("healthcare",) and jobs["nurse"].banks == ()
    assert jobs["graduate-trainee"].fields == ()
    assert jobs["backend-engineer"].seniority == "senior"
    assert jobs["graduate-trainee"].seniority == "graduate"
    assert jobs["data-analyst"].seniority == "mid-level"
    assert seniority_of("Project Manager", "Lead stakeholder management. Four or more years.") == \
        ("mid-level", "Four or more years")  # "lead" in the body is a verb


def test_the_same_job_and_seed_give_the_same_plan(jobs):
    a = Interviewer(seed=5, job=jobs["barista"])
    b = Interviewer(seed=5, job=jobs["barista"])
    assert [t.text for t in a.turns] == [t.text for t in b.turns]


def test_templates_read_well_with_every_skill(skills):
    for s in skills.skills:
        for t in (t for t in skills.templates if t.kind == s.kind):
            text = t.text.replace("{skill}", s.name)
            assert "{" not in text and "  " not in text and text[-1] in "?."
        # The text-to-speech lint (a check on shipped text, so it lives with the tests): acronyms
        # are allowed here, since skill names such as SQL are said letter by letter on purpose.
        for t in skills.templates:
            spoken = [p for p in speech_problems(t.text.replace("{skill}", "it")) if not p.startswith("acronym")]
            assert not spoken, f"{t.id}: {spoken}"


def test_a_broken_skills_file_names_its_line(tmp_path, skills):
    bad = tmp_path / "skills.toml"
    text = skills.path.read_text().replace('kind = "tool"', 'kind = "gadget"', 1)
    bad.write_text(text)
    with pytest.raises(UserError) as e:
        load_skills(bad)
    line = int(str(e.value).split(":")[1])
    assert "[[skills]]" in bad.read_text().splitlines()[line - 1] and "gadget" in str(e.value)


def test_job_file_errors_are_one_line(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_job_file(str(tmp_path / "missing.txt"))
    (tmp_path / "empty.txt").write_text("Nurse\n")
    with pytest.raises(UserError, match="fewer than five words"):
        read_job_file(str(tmp_path / "empty.txt"))


def test_plan_command_reads_a_job_from_standard_input():
    text = (JOBS / "data-analyst.txt").read_text()
    ran = run("plan", "--job", "-", "--seed", "4", stdin=text)
    assert ran.returncode == 0, ran.stderr
    assert "Job: Data Analyst (mid-level)" in ran.stdout
    assert 'the job names SQL: "SQL"' in ran.stdout
    assert ran.stdout.count("why:") == 5
    bad = run("plan", "--job", "/nonexistent.txt")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


# -- any job (issue 20) ------------------------------------------------------------------------------

BENCH_JOBS = Path(__file__).resolve().parents[1] / "simulator" / "evaluation" / "data" / "jobs"
RESUME = """Sam Carter
sam@example.org

Experience
Senior Developer, ShopCo (2019-2024)
- Led the move of checkout to a new platform, cutting failed payments by a third.
- Managed a team of six engineers across two offices.
- Introduced automated tests for the payment services.

Skills: Python, SQL, AWS
"""


def _bench_job(name: str) -> str:
    return (BENCH_JOBS / f"{name}.txt").read_text()


def _main(interviewer) -> list[dict]:
    return [t.question for t in interviewer.turns if t.question is not None and t.question["role"] == "main"]


def test_the_electrician_is_asked_about_the_duties_in_the_jobs_words(skills):
    text = _bench_job("maintenance-electrician")
    job = read_job(text, skills)
    asked = _main(Interviewer(questions=7, seed=3, job=job))
    said = {line.words: line.said for line in job.lines}
    assert len(asked) == 5 and all(q["bank"] == JOB_BANK for q in asked)  # no general bank, no "our company"
    for q in asked:
        assert q["job_words"] in text and q["text"].startswith(said[q["job_words"]])
        assert q["job_words"] in q["why"]  # why it was chosen, quoting the job
    assert len({q["job_words"] for q in asked} & set(job.duties)) >= 3
    assert any(q["text"].startswith("The role asks you to carry out planned preventive maintenance on electrical "
                                    "systems, motors and control panels.") for q in asked)


def test_finance_director_and_senior_stakeholders_say_nothing_of_the_roles_seniority(skills):
    accountant = read_job(_bench_job("management-accountant"), skills)
    assert accountant.seniority == "mid-level" and accountant.seniority_words == "three years"
    ux = read_job(_bench_job("ux-researcher"), skills)
    assert "senior stakeholders" in _bench_job("ux-researcher")
    assert (ux.seniority, ux.seniority_words) == ("mid-level", "Three years")
    assert seniority_of("Finance Assistant", "You will report to the Finance Director.") == ("", "")
    assert seniority_of("Head of Finance", "")[0] == "principal"
    assert seniority_of("Chef", "We have been trading for 30 years.") == ("", "")  # the company's years


def test_a_hotel_schedule_is_no_project(skills):
    job = read_job(_bench_job("hotel-front-office-supervisor"), skills)
    assert "project-management" not in job.fields
    for seed in range(10):
        for q in _main(Interviewer(questions=7, seed=seed, job=job)):
            assert "project" not in q["text"].lower(), q["text"]


def test_the_warehouse_supervisor_is_not_asked_about_competitors(skills):
    job = read_job(_bench_job("warehouse-supervisor"), skills)
    for seed in range(10):
        for questions in (5, 7):
            texts = [t.text for t in Interviewer(questions=questions, seed=seed, job=job).turns]
            assert not any("competitor" in t.lower() for t in texts), texts


@pytest.mark.parametrize("line, said", [
    ("Carry out planned preventive maintenance on electrical systems.",
     "The role asks you to carry out planned preventive maintenance on electrical systems."),
    ("Prepare monthly management accounts and variance analysis",  # one duty: "variance" is no verb
     "The role asks you to prepare monthly management accounts and variance analysis."),
    ("The postholder will assess planning applications against the local plan.",
     "The role asks you to assess planning applications against the local plan."),
    ("Leading, recruiting and developing a team of 15 sales advisers.",
     "The role involves leading, recruiting and developing a team of 15 sales advisers."),
])
def test_a_duty_line_is_said_back_in_the_jobs_words(line, said):
    from simulator.interview.duties import DUTY, load_duty_templates, parse_line

    [parsed] = parse_line(line, DUTY, load_duty_templates())
    assert (parsed.kind, parsed.said) == (DUTY, said)


def test_requirement_lines_benefits_and_credentials():
    from simulator.interview.duties import DUTY, REQUIREMENT, job_lines, load_duty_templates

    text = ("Planning Officer\n\nThe role\nYou will carry out site visits and write delegated reports.\n\n"
            "About you\n- Experience of processing payroll in a busy team.\n- Able to work alone on night shifts.\n"
            "- A full UK driving licence.\nYou will need a full driving licence and access to a car.\n"
            "You will be confident with spreadsheets.\n\nWhat we offer\n- Prepare for 25 days holiday and a pension.\n")
    lines = job_lines(text, load_duty_templates())
    assert [(ln.kind, ln.words, ln.said) for ln in lines] == [
        (DUTY, "carry out site visits", "The role asks you to carry out site visits."),
        (DUTY, "write delegated reports", "The role asks you to write delegated reports."),
        (REQUIREMENT, "Experience of processing payroll in a busy team",
         "The role asks for experience of processing payroll in a busy team."),
        (REQUIREMENT, "Able to work alone on night shifts", "The role asks that you are able to work alone on night shifts."),
        (REQUIREMENT, "You will be confident with spreadsheets", "The role asks that you are confident with spreadsheets."),
    ]


def test_a_resume_question_quotes_the_resume():
    text = (JOBS / "backend-engineer.txt").read_text()
    ran = run("plan", "--job", str(JOBS / "backend-engineer.txt"), "--resume", "-", "--questions", "7",
              "--seed", "2", "--json", stdin=RESUME)
    assert ran.returncode == 0, ran.stderr
    import json

    plan = json.loads(ran.stdout)
    from_resume = [q for q in plan["questions"] if q["bank"] == "resume"]
    assert len(from_resume) == 1  # one in three of the five main questions
    q = from_resume[0]
    assert q["resume_words"] in RESUME and q["resume_words"] not in text
    assert q["text"].startswith("Your résumé says you ")
    assert q["resume_words"][1:].lower() in q["text"].lower() and q["resume_words"] in q["why"]
    # the payments line shares most words with the job ("automated tests"), so it is asked first
    assert q["resume_words"] == "Introduced automated tests for the payment services"
    human = run("plan", "--job", str(JOBS / "backend-engineer.txt"), "--resume", "-", "--seed", "2", stdin=RESUME)
    assert "Your résumé says you introduced automated tests for the payment services." in human.stdout


def test_a_resume_alone_gives_a_different_question_for_each_line():
    from simulator.interview.interviewer import plan_for_job

    asked = _main(plan_for_job(None, RESUME, questions=5, seed=2))
    assert [q["bank"] for q in asked] == ["resume"] * 3
    assert len({q["text"].split(". ")[-1] for q in asked}) == 3  # the question after each quoted line differs


def test_the_resume_is_not_kept_with_the_plans_settings():
    from simulator.interview.interviewer import plan_for_job

    interviewer = plan_for_job((JOBS / "nurse.txt").read_text(), RESUME, questions=7, seed=1)
    assert "Led the move of checkout" not in str(interviewer.settings())


def test_resume_file_errors_are_one_line(tmp_path):
    bad = run("plan", "--job", str(JOBS / "nurse.txt"), "--resume", str(tmp_path / "missing.txt"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "--resume: no such file" in bad.stderr
    both = run("plan", "--job", "-", "--resume", "-", stdin="x")
    assert both.returncode == 2 and both.stderr.count("\n") == 1 and "standard input" in both.stderr


def test_job_bench_every_job_covers_three_duties_and_no_other_field():
    import json

    ran = run("bench", "--jobs", "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert len(result["jobs"]) >= 20 and result["summary"]["all"]["sectors"] >= 12
    for j in result["jobs"]:
        assert j["covered"] >= 3 and j["foreign"] == 0, j


def test_duty_and_resume_questions_read_well_aloud():
    from simulator.interview.duties import load_duty_templates
    from simulator.interview.resume import QUESTIONS

    texts = [q.text for q in load_duty_templates().questions] + [q[1] for q in QUESTIONS]
    for text in texts:
        assert not speech_problems(text), (text, speech_problems(text))
        assert text[-1] in "?." and "{" not in text


@pytest.mark.audio
@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("keep", [False, True])
def test_practice_stores_the_resume_only_when_asked(virtual_audio, recordings, tmp_path, keep):
    """A real practice session (silent answers from the virtual microphone): the résumé's
    question is asked, and its text is in the stored session only with --keep-resume."""
    import subprocess

    from conftest import VENV_BIN

    from simulator.store import Store

    resume = tmp_path / "resume.txt"
    resume.write_text(RESUME, encoding="utf-8")
    result = subprocess.run(
        [str(VENV_BIN / "interview-sim"), "practice", "--questions", "4", "--seed", "1", "--no-speak",
         "--job", str(JOBS / "backend-engineer.txt"), "--resume", str(resume), "--max-answer", "1.5",
         "--recordings-dir", str(recordings)] + (["--keep-resume"] if keep else []),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    session = Store(recordings).latest()
    assert [a.question["bank"] for a in session.answers].count("resume") == 1
    assert session.settings.get("resume") == (RESUME if keep else None)
    # The question asked quotes one line ("Introduced automated tests ..."), stored as every question
    # is; the lines not asked are in the session only when the résumé was kept.
    assert ("Led the move of checkout" in str(session.settings)) == keep
