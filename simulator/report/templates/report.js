// interview-sim report: click a word (or a pause, or a point on the pace chart) to play the answer
// from there; the word being spoken is highlighted while the audio plays.
(function () {
  "use strict";
  var players = [];
  document.querySelectorAll("section.answer").forEach(function (card) {
    var audio = card.querySelector("audio");
    if (!audio) return;
    players.push(audio);
    var words = Array.prototype.slice.call(card.querySelectorAll(".w[data-s]"));
    var current = null;

    card.querySelectorAll("[data-s]").forEach(function (el) {
      el.addEventListener("click", function () {
        audio.currentTime = parseFloat(el.getAttribute("data-s"));
        var playing = audio.play();
        if (playing && playing.catch) playing.catch(function () { /* blocked autoplay: the seek still happened */ });
      });
    });

    function highlight() {
      var t = audio.currentTime, found = null;
      for (var i = 0; i < words.length; i++) {
        var s = parseFloat(words[i].getAttribute("data-s")), e = parseFloat(words[i].getAttribute("data-e"));
        if (t >= s && t < e) { found = words[i]; break; }
      }
      if (found === current) return;
      if (current) current.classList.remove("now");
      if (found) found.classList.add("now");
      current = found;
    }
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
    audio.addEventListener("ended", function () { if (current) current.classList.remove("now"); current = null; });
    audio.addEventListener("play", function () {
      players.forEach(function (other) { if (other !== audio) other.pause(); });
    });
  });
})();
