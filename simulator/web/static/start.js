// The start page: the interview's options, the plan they give (and why each question), a
// sample of the chosen voice, and the microphone check. The options go to the interview page
// in this tab's session storage: a job description or a résumé never goes into a URL.
(function () {
  "use strict";
  var KEY = "interview-sim:options";
  var form = document.getElementById("start-form");
  var $ = function (id) { return document.getElementById(id); };
  var NUMBERS = ["questions", "seed", "rate", "max_answer_s", "silence_stop_s", "think_s"];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // The form as the start message's options: numbers as numbers, an empty field left out.
  function options() {
    var o = {banks: [], repeat: form.elements.repeat.checked, keep_resume: form.elements.keep_resume.checked,
             allow_remote_llm: form.elements.allow_remote_llm.checked, mode: form.elements.mode.value};
    form.querySelectorAll("input[name=banks]:checked").forEach(function (b) { o.banks.push(b.value); });
    NUMBERS.forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v !== "") o[name] = Number(v);
    });
    ["job", "resume", "voice", "llm_url", "llm_model"].forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v) o[name] = v;
    });
    return o;
  }

  function problem(text) {
    var e = $("form-error");
    e.textContent = text || "";
    e.hidden = !text;
  }

  function post(path, body) {
    return fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  }

  // The plan the server would ask with these options; rejects with the server's one line.
  function plan(o) {
    return post("/api/plan", o).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || "the plan could not be made");
        return body;
      });
    });
  }

  function show(p) {
    var box = $("plan");
    box.textContent = "";
    box.appendChild(el("h2", null, "The plan"));
    if (p.job) {
      box.appendChild(el("p", "job", "Job: " + p.job.title + (p.job.seniority ? " · " + p.job.seniority : "")));
    }
    var list = el("ol");
    p.questions.forEach(function (q) {
      var item = el("li", "planned");
      item.appendChild(el("div", "text", q.text));
      if (q.written_by) item.appendChild(el("div", "by", "written by your model, " + q.written_by));
      item.appendChild(el("div", "why", q.category + " · " + q.time_budget_s + " s · why: " + q.why));
      list.appendChild(item);
    });
    box.appendChild(list);
    p.notes.forEach(function (n) { box.appendChild(el("p", "note", "Note: " + n + ".")); });
    p.warnings.forEach(function (w) { box.appendChild(el("p", "note", "Note: " + w + ".")); });
    if (p.model_asked) {
      box.appendChild(el("p", "note", "Your model is asked again when the interview starts: its questions may " +
                                      "differ from these."));
    }
    box.appendChild(el("p", "note", "Seed " + p.seed + ": starting now asks these questions (a follow-up may come " +
                                    "after a main question, chosen from your answer)."));
    box.hidden = false;
    // The interview asks what was shown: the same seed and history give the same questions.
    form.elements.seed.value = p.seed;
  }

  $("preview").addEventListener("click", function () {
    problem("");
    plan(options()).then(show, function (err) { problem(err.message); });
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    problem("");
    var o = options();
    plan(o).then(function (p) {
      o.seed = p.seed;
      sessionStorage.setItem(KEY, JSON.stringify(o));
      location.href = "/interview" + location.search;
    }, function (err) { problem(err.message); });
  });

  $("listen").addEventListener("click", function () {
    var button = $("listen"), note = $("voice-note");
    var o = options();
    button.disabled = true;
    note.classList.remove("warn");
    note.textContent = "Rendering…";
    post("/api/voice-sample", {voice: o.voice || null, rate: o.rate}).then(function (r) {
      if (!r.ok) return r.json().then(function (body) { throw new Error(body.error || "no sample"); });
      return r.blob();
    }).then(function (blob) {
      var audio = new Audio(URL.createObjectURL(blob));
      note.textContent = "Playing…";
      audio.addEventListener("ended", function () {
        button.disabled = false;
        note.textContent = "";
        button.setAttribute("data-played", form.elements.voice.value || "default");
      });
      return audio.play();
    }).catch(function (err) {
      button.disabled = false;
      note.classList.add("warn");
      note.textContent = err.message || String(err);
    });
  });

  // The microphone check: three seconds of level, nothing recorded or sent.
  $("mic-check").addEventListener("click", function () {
    var meter = $("mic-level"), note = $("mic-note");
    var loudest = -100;
    note.textContent = "Say something…";
    Mic.open(function (block) {
      var db = Mic.levelDb(block);
      meter.value = Math.max(-60, db);
      loudest = Math.max(loudest, db);
    }).then(function (mic) {
      setTimeout(function () {
        mic.close();
        meter.value = -60;
        note.textContent = loudest > -45 ? "Your microphone works (loudest " + loudest.toFixed(0) + " dB)."
          : "Very quiet (loudest " + loudest.toFixed(0) + " dB): check the microphone chosen in your system's sound settings.";
      }, 3000);
    }, function (message) { note.textContent = message; note.classList.add("warn"); });
  });
})();
