"""The plan and a follow-up in words, for `interview-sim plan` and `analyze --question`."""

from __future__ import annotations


def plan_dict(interviewer) -> dict:
    questions = []
    for turn in interviewer.turns:
        q = turn.question
        if q is None:
            continue
        questions.append({"number": turn.number, "role": q["role"], "bank": q["bank"], "id": q["id"],
                          "category": q["category"], "text": q["text"], "time_budget_s": q["time_budget_s"],
                          "why": q.get("why") or _default_why(q), "job_words": q.get("job_words", ""),
                          "resume_words": q.get("resume_words", ""), "written_by": q.get("written_by", "")})
    return {"seed": interviewer.seed, "banks": [b.name for b in interviewer.banks],
            "job": interviewer.job.to_dict() if interviewer.job is not None else None,
            "resume": interviewer.resume.to_dict() if interviewer.resume is not None else None,
            "questions": questions, "notes": list(interviewer.notes)}


def _default_why(q: dict) -> str:
    if q["role"] == "warm-up":
        return "a warm-up to open the interview"
    if q["role"] == "closing":
        return "every interview ends with your questions"
    return f"from the {q['bank']} bank you chose"


def plan_lines(interviewer) -> list[str]:
    d = plan_dict(interviewer)
    lines = []
    job = d["job"]
    if job is not None:
        lines.append(f"Job: {job['title']}" + (f" · {job['seniority']} (\"{job['seniority_words']}\")"
                                               if job["seniority"] else ""))
        lines.append("Fields: " + (", ".join(job["fields"]) or "none of the skills list's: the questions come "
                                                                   "from the job's own lines"))
        lines.append("Skills named: " + (", ".join(f"{s['name']} (\"{s['words']}\")" for s in job["skills"])
                                         or "none from the skills list"))
        asked = {q["job_words"] for q in d["questions"]}
        duties = [ln for ln in job["lines"] if ln["kind"] == "duty"]
        lines.append(f"Duties read: {len(duties)}; requirements read: {len(job['lines']) - len(duties)}"
                     + ("" if job["lines"] else " (no duty or requirement lines found: questions come from the "
                                                "skills it names and the banks)"))
        rest = [ln["words"] for ln in job["lines"] if ln["words"] not in asked]
        if rest:
            lines.append("Also in the job, not asked this time: " + "; ".join(rest))
        lines.append("")
    if d["resume"] is not None:
        lines.append(f"Résumé: {len(d['resume']['lines'])} lines about what you did; "
                     "questions quote them, marked [resume/...]")
        lines.append("")
    for q in d["questions"]:
        lines.append(f"{q['number']}. [{q['bank']}/{q['category']}, {q['time_budget_s']:g} s] {q['text']}")
        if q["written_by"]:  # the person's own model wrote it: said, so it is never taken for the rules'
            lines.append(f"   written by your model, {q['written_by']}")
        lines.append(f"   why: {q['why']}")
    for note in d["notes"]:
        lines.append(f"Note: {note}.")
    lines.append(f"Seed {d['seed']}: `interview-sim practice --seed {d['seed']} --repeat"
                 + (" --job FILE" if job is not None else "") + (" --resume FILE" if d["resume"] is not None else "")
                 + "` asks these questions.")
    lines.append("After each main question one follow-up may come, chosen from your answer (see the README).")
    return lines


def follow_up_lines(follow_up: dict | None) -> list[str]:
    if follow_up is None:
        return ["Follow-up: none. The answer gave the rules nothing to ask about."]
    lines = [f"Follow-up: {follow_up['text']}", f"  why: {follow_up['reason']}"]
    if follow_up.get("quote"):
        lines.append(f"  from your words: \"{follow_up['quote']}\"")
    return lines
