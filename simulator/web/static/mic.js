// The browser's microphone as 16 kHz mono blocks: getUserMedia and an AudioWorklet.
// Mic.open(onBlock) resolves to a handle with close(); a refusal rejects with a message that
// says how to allow the microphone.
var Mic = (function () {
  "use strict";
  var DENIED = "The microphone is blocked for this page. Click the icon at the left of the address bar " +
    "(a lock or a crossed-out microphone), set Microphone to Allow, then reload this page and press Begin again.";

  function explain(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") return DENIED;
    if (name === "NotFoundError" || name === "OverconstrainedError")
      return "No microphone was found: connect one (or choose it in your system's sound settings) and try again.";
    if (name === "NotReadableError")
      return "The microphone is in use by another program or could not be started: close that program and try again.";
    return "The microphone could not be started (" + (err && (err.message || name) || err) + ").";
  }

  function open(onBlock) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
      return Promise.reject("This browser cannot record here: open the address interview-sim printed (http://127.0.0.1:...).");
    var stream, ctx;
    return navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: true,
                                                        noiseSuppression: false, autoGainControl: false}})
      .then(function (s) {
        stream = s;
        ctx = new AudioContext({sampleRate: 16000});
        return ctx.audioWorklet.addModule("/static/capture-worklet.js");
      })
      .then(function () {
        var source = ctx.createMediaStreamSource(stream);
        var node = new AudioWorkletNode(ctx, "capture");
        node.port.onmessage = function (e) { onBlock(e.data); };
        source.connect(node);
        return {
          close: function () {
            node.port.onmessage = null;
            stream.getTracks().forEach(function (t) { t.stop(); });
            ctx.close();
          }
        };
      })
      .catch(function (err) {
        if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
        if (ctx) ctx.close();
        throw explain(err);
      });
  }

  function toPcm16(block) {
    var out = new Int16Array(block.length);
    for (var i = 0; i < block.length; i++) {
      var v = Math.max(-1, Math.min(1, block[i]));
      out[i] = v < 0 ? v * 32768 : v * 32767;
    }
    return out.buffer;
  }

  function levelDb(block) {
    var sum = 0;
    for (var i = 0; i < block.length; i++) sum += block[i] * block[i];
    return 10 * Math.log10(sum / block.length + 1e-10);
  }

  return {open: open, toPcm16: toPcm16, levelDb: levelDb, DENIED: DENIED};
})();
