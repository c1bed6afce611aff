// The start page's microphone check: three seconds of level, nothing recorded or sent.
(function () {
  "use strict";
  var button = document.getElementById("mic-check");
  var meter = document.getElementById("mic-level");
  var note = document.getElementById("mic-note");
  button.addEventListener("click", function () {
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
