// Runs on the audio thread: collects the microphone's samples (the context runs at 16 kHz) and
// hands them to the page in 50 ms blocks, the recorder's own block size.
class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(800);
    this.filled = 0;
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        this.block[this.filled++] = channel[i];
        if (this.filled === this.block.length) {
          this.port.postMessage(this.block.slice(0));
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor("capture", Capture);
