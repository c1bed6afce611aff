"""Terminal tables for the listing commands: sessions, devices, doctor's checks, bench results."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_sessions(out: Console, sessions: list, root) -> None:
    from simulator.delivery.summary import summarize

    if not sessions:
        out.print(f"No sessions in {root} yet. Try `interview-sim demo` or `interview-sim practice`.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    # The id is what a person copies: it never wraps or shrinks; the other columns give way.
    table.add_column("session", no_wrap=True, min_width=max(len(s.id) for s in sessions))
    for col in ("kind", "started", "status", "answers", "pace", "fillers/min"):
        table.add_column(col)
    for s in sessions:
        sm = summarize([a.delivery for a in s.answers])
        table.add_row(s.id, s.kind, s.started_at.replace("T", " "), s.status, str(len(s.answers)),
                      f"{sm.wpm:.0f} wpm" if sm.wpm else "–",
                      f"{sm.fillers_per_min:.1f}" if sm.fillers_per_min is not None else "–")
    out.print(table)
    out.print(f"[dim]{root}[/dim]")


def print_devices(out: Console, found: list) -> None:
    if not found:
        out.print("No audio devices found. Run `interview-sim doctor` for what to do.")
        return
    table = Table(box=None, header_style="bold")
    for col in ("index", "name", "api", "in", "out", "default"):
        table.add_column(col)
    for d in found:
        default = " ".join(x for x, y in (("input", d.is_default_input), ("output", d.is_default_output)) if y)
        table.add_row(str(d.index), d.name, d.host_api, str(d.max_input_channels), str(d.max_output_channels), default)
    out.print(table)


def print_checks(out: Console, checks: list) -> None:
    for c in checks:
        mark = {"ok": "[green]ok[/green]  ", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}[c.status]
        out.print(f"{mark} {c.name}: {c.detail}" + (f"\n      fix: {c.fix}" if c.fix and c.status != "ok" else ""))


def print_bench(out: Console, result: dict) -> None:
    table = Table(title="Transcription engines (clips: JFK, two LibriVox readings)", header_style="bold")
    for col in ("engine", "model", "compute", "load s", "RTF", "peak RSS MB", "WER"):
        table.add_column(col, justify="left" if col in ("engine", "model", "compute") else "right")
    for e in result["engines"]:
        table.add_row(e["engine"], e["model"], e["compute_type"], f"{e['load_s']:.2f}", f"{e['rtf']:.3f}",
                      f"{e['peak_rss_mb']:.0f}", f"{100 * e['wer']:.1f}%")
    out.print(table)
    lat = result.get("feedback_latency_s")
    if lat:
        out.print(f"Feedback latency after a {lat['answer_s']:.0f} s answer: streaming {lat['streaming']:.2f} s, "
                  f"whole-file {lat['batch']:.2f} s")
    if "accuracy" in result:
        acc = result["accuracy"]["summary"]
        out.print(f"Pace error: {100 * acc['pace_error_aligned_max']:.1f}% worst aligned clip, "
                  f"{100 * acc['pace_error_synthetic_median']:.1f}% median synthetic answer (target 5%)")
        out.print(f"Pauses of 0.5 s or more: recall {acc['pause_recall_aligned']:.2f}, "
                  f"precision {acc['pause_precision_aligned']:.2f} (target 0.9)")
        out.print(f"Hesitations: recall {acc['hesitation_recall']:.2f} (target 0.9), precision "
                  f"{acc['hesitation_precision']:.2f} (target 0.95); discourse false positives: "
                  f"{acc['discourse_false_positives']} (target 0)")
        table = Table(title="Hesitations kept, by engine and decoding (synthetic answers)", header_style="bold")
        for col in ("engine", "compute", "beam", "kernels", "verbatim", "found / said", "recall", "precision"):
            table.add_column(col)
        for row in result["accuracy"]["decodings"]:
            h = row["hesitations"]
            table.add_row(row["engine"], row["compute_type"], str(row["beam_size"]), row.get("kernels", "native"),
                          "on" if row["verbatim"] else "off",
                          f"{h['found']} / {h['true']}", f"{row['hesitation_recall']:.2f}",
                          f"{row['hesitation_precision']:.2f}")
        out.print(table)
        if "heldout" in result["accuracy"]:
            held = result["accuracy"]["heldout"]
            h = held["hesitations"]
            out.print(f"Held-out synthetic answers ({held['clips']}, scripts and voices nothing was chosen on): "
                      f"{h['found']} of {h['true']} hesitations kept, recall {held['recall']:.2f}, "
                      f"precision {held['precision']:.2f}")
    if "real_speech" in result:
        print_real_speech(out, result["real_speech"])


def print_real_speech(out: Console, real: dict) -> None:
    table = Table(title=f"Real speech with human transcripts ({real['configs'][0]['clips']} clips in {real['folder']})",
                  header_style="bold")
    for col in ("decoding", "hesitation recall", "precision", "F1", "false alarms", "WER", "WER whole file",
                "word count error", "invented endings", "utterances lost", "loops cut/left", "unheard s", "RTF"):
        table.add_column(col, justify="left" if col == "decoding" else "right")
    for row in real["configs"]:
        whole = row.get("wer_whole_file")
        table.add_row(row["label"], f"{row['recall']:.2f}", f"{row['precision']:.2f}", f"{row['f1']:.2f}",
                      f"{row['false_alarms']} on {row['filler_free_clips']} clips", f"{100 * row['wer']:.1f}%",
                      "-" if whole is None else f"{100 * whole:.1f}%",
                      f"{100 * row['word_count_error_median']:.0f}%", str(row["invented_clips"]),
                      f"{row['segments_lost']} of {row['segments']}", f"{row['loops_cut']}/{row['loops_left']}",
                      f"{row['unheard_s']:.1f}", f"{row['rtf']:.3f}")
    out.print(table)
    out.print("[dim]Hesitations matched per utterance segment where the truth gives segments; WER whole file: "
              "plain decoding of each whole file in one call (the engine's long-form defaults), same model.[/dim]")
    for model, lat in (real.get("feedback_latency_s") or {}).items():
        out.print(f"Feedback latency after a {lat['answer_s']:.0f} s answer, {model}: streaming {lat['streaming']:.2f} s, "
                  f"whole-file {lat['batch']:.2f} s")
    for row in real["configs"]:
        if row["invented"]:
            words = "; ".join(f"{name}: {' '.join(tail)}" for name, tail in row["invented"].items())
            out.print(f"[dim]{row['label']}: words after the last word heard right, beyond the transcript: {words}[/dim]")


def print_content_bench(out: Console, result: dict) -> None:
    """`bench --content`: each STAR part's precision and recall and each item's accuracy, per set."""
    targets = result["targets"]
    for name in ("marked", "held_out"):
        r = result.get(name)
        if r is None:
            continue
        table = Table(box=None, header_style="bold", title=f"{name.replace('_', '-')} set: {r['answers']} answers, "
                      f"{r['questions']} questions", title_justify="left")
        for col in ("item", "precision", "recall", "accuracy", "counts"):
            table.add_column(col, justify="left" if col in ("item", "counts") else "right")
        for part, p in r["parts_per_answer"].items():
            table.add_row(f"{part} (per answer)", _share(p["precision"]), _share(p["recall"]), "",
                          f"{p['right']}/{p['found']} found, {p['marked']} marked")
        for part, p in r["parts_per_sentence"].items():
            table.add_row(f"{part} (per sentence)", _share(p["precision"]), _share(p["recall"]), "",
                          f"{p['right']}/{p['found']} found, {p['marked']} marked")
        for item, a in r["items"].items():
            table.add_row(item.replace("_", " "), "", "", _share(a["accuracy"]), f"{a['right']} of {a['of']}")
        out.print(table)
        verdict = "meets" if r["meets_targets"] else "misses"
        out.print(f"{verdict} the targets (each part per answer: precision and recall >= {targets['part_precision']}; "
                  f"items >= {targets['item_accuracy']}); {len(r['disagreements'])} disagreements "
                  "(--json lists them)\n")


def _share(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def print_job_bench(out: Console, result: dict) -> None:
    for heldout, name in ((False, "built on"), (True, "held out")):
        table = Table(title=f"Job descriptions {name}: {result['plan_questions']}-question plans, the fewest duties "
                            f"covered and the most questions from another field over seeds "
                            f"{', '.join(map(str, result['seeds']))}", header_style="bold")
        for col in ("job", "field", "duties", "other field", "seniority"):
            table.add_column(col, justify="right" if col in ("duties", "other field") else "left",
                             no_wrap=col == "job")
        for j in (j for j in result["jobs"] if j["heldout"] == heldout):
            seniority = j["seniority"] or "-"
            if not j["seniority_right"]:
                seniority += f" (truth: {j['seniority_truth'] or '-'})"
            table.add_row(j["name"], j["sector"], f"{j['covered']}/{j['duties']}", str(j["foreign"]), seniority)
        out.print(table)
    for name, s in result["summary"].items():
        out.print(f"{name}: {s['jobs']} jobs of {s['sectors']} fields; {s['passed']} with at least "
                  f"{result['min_duties_covered']} duties covered and no question from another field; duties covered "
                  f"{s['covered']} of {s['duties']} (fewest {s['fewest_covered']}); questions from another field "
                  f"{s['foreign_questions']}; seniority right {s['seniority_right']} of {s['jobs']}")


def print_follow_up_bench(out: Console, result: dict) -> None:
    """`bench --follow-ups`: the time to each follow-up from the person's model, and the checks."""
    table = Table(title=f"Follow-ups from {result['model']}", header_style="bold")
    for col in ("answer", "seconds", "follow-up (or why it was not used)"):
        table.add_column(col, justify="right" if col == "seconds" else "left", no_wrap=col != "follow-up (or why it was not used)")
    for r in result["rows"]:
        table.add_row(r["answer"], f"{r['seconds']:.2f}", r["follow_up"] or f"[dim]not used: {r['reason']}[/dim]")
    out.print(table)
    if not result["answers"]:
        return
    out.print(f"Time to a follow-up: median {result['median_s']:.2f} s, 90th percentile {result['p90_s']:.2f} s, "
              f"slowest {result['max_s']:.2f} s. Passed the checks: {result['passed_checks']} of {result['answers']}; "
              f"of those, {result['within_budget']} within the interview's {result['budget_s']:g} s budget "
              "(the rest would have been the rules').")
    if result["not_used"]:
        out.print("Not used: " + "; ".join(f"{k} ({v})" for k, v in sorted(result["not_used"].items(),
                                                                          key=lambda kv: -kv[1])))
    f = result.get("feedback")
    if f is not None:
        out.print(f"Time to content feedback: median {f['median_s']:.2f} s, 90th percentile {f['p90_s']:.2f} s, "
                  f"slowest {f['max_s']:.2f} s. Kept after the checks: {f['passed_checks']} of {result['answers']}; "
                  f"of those, {f['within_budget']} within its {f['budget_s']:g} s budget (the rest: the rules' "
                  "feedback alone).")
        if f.get("items_dropped"):
            out.print("Left out of kept feedback: " + "; ".join(
                f"{k} ({v})" for k, v in sorted(f["items_dropped"].items(), key=lambda kv: -kv[1])))
        if f["not_used"]:
            out.print("Feedback not used: " + "; ".join(f"{k} ({v})" for k, v in sorted(f["not_used"].items(),
                                                                                       key=lambda kv: -kv[1])))
