// The interview page: one WebSocket to the server, which runs the interview. The server says
// what to do (play a line, listen, show a card); the page plays, records and shows.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  // Chosen on the start page, in this tab (see start.js); checked by the server when it starts.
  var options = JSON.parse(sessionStorage.getItem("interview-sim:options") || "null");
  var ws = null, mic = null, pending = [], finished = false;

  function status(text) { $("status").textContent = text; }
  function error(text) { var e = $("error"); e.textContent = text; e.hidden = false; }
  function clock(s) { s = Math.floor(s); return Math.floor(s / 60) + ":" + ("0" + s % 60).slice(-2); }
  function send(obj) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function startListening() {
    pending = [];
    Mic.open(function (block) {
      if (ws && ws.readyState === 1) ws.send(Mic.toPcm16(block));
    }).then(function (m) {
      mic = m;
      if (finished) stopListening();
    }, function (message) {
      error(message);
      send({type: "mic-error", message: message});
      ws.close();
    });
  }
  function stopListening() {
    if (mic) { mic.close(); mic = null; }
    $("finish").disabled = true;
    $("level").value = -60;
  }

  function say(ev) {
    var audio = new Audio(ev.audio);
    var done = false;
    function played() { if (!done) { done = true; send({type: "played", line: ev.line}); } }
    audio.addEventListener("ended", played);
    audio.addEventListener("error", played);
    var p = audio.play();
    if (p && p.catch) p.catch(function () { played(); });
  }

  function card(ev) {
    var c = el("section", "card answer-card");
    c.id = "card-" + ev.number;
    c.appendChild(el("div", "eyebrow", "Answer " + ev.number + " · " + ev.duration_s.toFixed(1) + " s · stopped by " + ev.stopped_by));
    c.appendChild(el("p", "said", ev.transcript || "(no speech found)"));
    var tiles = el("div", "tiles");
    ev.metrics.forEach(function (m) {
      var t = el("div", "tile " + m.status);
      t.setAttribute("data-key", m.key);
      t.appendChild(el("div", "label", m.label));
      t.appendChild(el("div", "value", m.display));
      if (m.target) t.appendChild(el("div", "target", "target " + m.target));
      t.appendChild(el("div", "note", m.note));
      tiles.appendChild(t);
    });
    c.appendChild(tiles);
    if (ev.content && ev.content.length) {
      var dl = el("dl", "content");
      ev.content.forEach(function (p) {
        dl.appendChild(el("dt", null, p.label));
        dl.appendChild(el("dd", p.label === "Next step" ? "next" : null, p.text));
      });
      c.appendChild(el("h3", null, "What you said"));
      c.appendChild(dl);
    }
    var link = el("a", null, "Listen and see every word in the report");
    link.href = "/sessions/" + encodeURIComponent(ev.session) + "#answer-" + ev.number;
    c.appendChild(link);
    $("cards").insertBefore(c, $("cards").firstChild);
  }

  // What the person's own model wrote about an answer comes after its card: added to it, marked.
  function modelFeedback(ev) {
    var c = $("card-" + ev.number);
    if (!c) return;
    var box = el("div", "model-feedback");
    box.appendChild(el("h3", null, "Content feedback " + ev.mark));
    var dl = el("dl", "content");
    ev.points.forEach(function (p) {
      dl.appendChild(el("dt", null, p.label));
      dl.appendChild(el("dd", p.label === "Next step" ? "next" : null, p.text));
    });
    box.appendChild(dl);
    c.insertBefore(box, c.querySelector("a"));
  }

  var handlers = {
    interviewer: function (ev) { $("question").textContent = ev.text; $("qhead").textContent = "Interviewer"; $("reason").textContent = ""; },
    question: function (ev) {
      $("qhead").textContent = ev.reason ? "Follow-up" : "Question " + ev.number + " of " + ev.total +
        (ev.category ? " · " + ev.category : "") + (ev.budget_s ? " · " + ev.budget_s + " s" : "");
      $("question").textContent = ev.text;
      $("reason").textContent = ev.written_by && ev.reason ? "(written by your model, " + ev.written_by + ", about \u201c" + ev.quote + "\u201d)"
        : ev.written_by ? "(written by your model, " + ev.written_by + ") Why this question: " + ev.why
        : ev.reason ? "(" + ev.reason + ")" : ev.why ? "Why this question: " + ev.why : "";
      status("The interviewer is asking…");
    },
    say: say,
    note: function (ev) { status(ev.text); },
    warn: function (ev) { error(ev.text); },
    listen: function (ev) {
      finished = false;
      $("finish").disabled = false;
      $("elapsed").textContent = "0:00"; $("pace").textContent = "– wpm"; $("fillers").textContent = "0 fillers";
      status("● Recording: speak now. It ends after a silence, at " + clock(ev.max_s) + ", or when you press \"I have finished\".");
      document.body.classList.add("recording");
      startListening();
    },
    tick: function (ev) {
      $("level").value = Math.max(-60, ev.level_db);
      $("elapsed").textContent = clock(ev.elapsed);
      if (ev.words != null) {
        $("pace").textContent = ev.wpm ? ev.wpm + " wpm" : "– wpm";
        $("fillers").textContent = ev.fillers + (ev.fillers === 1 ? " filler" : " fillers");
      }
    },
    stopped: function (ev) {
      finished = true;
      stopListening();
      document.body.classList.remove("recording");
      status("Answer recorded (" + ev.duration_s.toFixed(1) + " s). Analysing…");
    },
    analysing: function () {},
    card: function (ev) { card(ev); status("Feedback for answer " + ev.number + " is below."); },
    model_feedback: modelFeedback,
    summary: function (ev) {
      var d = $("done");
      d.hidden = false;
      d.textContent = "";
      d.appendChild(el("h2", null, "Session " + ev.session + " is saved (" + ev.status + ", " + ev.answers + " answers)."));
      var a = el("a", "primary", "Open the full report");
      a.id = "report-link";
      a.href = "/sessions/" + encodeURIComponent(ev.session);
      d.appendChild(a);
      status("The interview is over.");
    },
    error: function (ev) { error(ev.text); status("Stopped."); }
  };

  if (!options) {
    $("begin").disabled = true;
    error("Choose your interview on the start page first (New interview, above).");
  }
  $("begin").addEventListener("click", function () {
    $("begin").disabled = true;
    status("Connecting…");
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + Token.url("/ws/interview"));
    ws.binaryType = "arraybuffer";
    ws.onopen = function () { send(Object.assign({type: "start"}, options)); status("Starting the interview…"); };
    ws.onmessage = function (e) {
      var ev = JSON.parse(e.data);
      var handler = handlers[ev.type];
      if (handler) handler(ev);
    };
    ws.onclose = function () { stopListening(); if ($("done").hidden && $("error").hidden) error("The connection to interview-sim closed: is the server still running?"); };
  });
  $("finish").addEventListener("click", function () { send({type: "finish"}); $("finish").disabled = true; });
})();
