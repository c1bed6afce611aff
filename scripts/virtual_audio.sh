#!/usr/bin/env bash
# virtual_audio.sh - idempotently install and start a virtual (sound-card-less)
# audio stack for headless Debian 12 CI containers, so sounddevice/PortAudio, aplay
# (pyttsx3) and paplay can really play and record.
#
#   PulseAudio (user-mode daemon, run as root, no D-Bus/systemd needed) with:
#     sink  "speaker"        default sink   (TTS / app playback goes here)
#     sink  "mic_feed"       inject "candidate answer" audio here
#     source "mic_feed.monitor" = DEFAULT SOURCE (what the app records)
#     sink  "keepalive_dump" + 2 module-loopback streams that keep both null sinks at
#           low latency. Without them an idle null sink runs a 2 s timer and a new
#           recording gets its first callback 0-2 s late (that audio is lost).
#   PortAudio reaches it via ALSA "default" -> libasound2-plugins' pulse plugin.
#   Named ALSA PCMs (visible in sounddevice.query_devices()):
#     virtual_speaker, virtual_mic, mic_feed, speaker_monitor
#
# Usage:  eval "$(bash setup_virtual_audio.sh start)"   # install+start, exports env
#         bash setup_virtual_audio.sh env|status|stop
# Env:    VA_DIR (state dir, default /tmp/virtual-audio), VA_SKIP_APT=1
set -euo pipefail

VA_DIR=${VA_DIR:-/tmp/interview-sim-audio}
RUN=$VA_DIR/run
SOCK=$RUN/native
PKGS="libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins alsa-utils espeak-ng libespeak-ng1"

log() { echo "[virtual-audio] $*" >&2; }
pa() { PULSE_SERVER="unix:$SOCK" "$@"; }
running() { pa pactl info >/dev/null 2>&1; }

print_env() {
  echo "export PULSE_SERVER=unix:$SOCK"
  echo "export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$VA_DIR/asoundrc"
}

install_pkgs() {
  [ "${VA_SKIP_APT:-0}" = 1 ] && return 0
  local missing="" p
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && { log "apt packages already installed"; return 0; }
  log "installing:$missing"
  apt-get -o DPkg::Lock::Timeout=300 update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends $missing >&2
}

write_asoundrc() {
  cat > "$VA_DIR/asoundrc" <<'EOF'
pcm.virtual_speaker { type pulse; device "speaker"; hint { show on; description "Virtual speaker (null sink 'speaker')" } }
pcm.virtual_mic { type pulse; device "mic_feed.monitor"; hint { show on; description "Virtual microphone (monitor of 'mic_feed')" } }
pcm.mic_feed { type pulse; device "mic_feed"; hint { show on; description "Play here to be heard by virtual_mic" } }
pcm.speaker_monitor { type pulse; device "speaker.monitor"; hint { show on; description "Records what was played to 'speaker'" } }
EOF
}

start_daemon() {
  mkdir -p "$RUN" "$VA_DIR/home" "$VA_DIR/state"
  chmod 700 "$RUN"
  # Nothing answers on our socket, so a pid file or socket left here is stale (a killed daemon,
  # whose pid may since belong to another process): remove them or pulseaudio refuses to start.
  rm -f "$RUN/pid" "$SOCK"
  log "starting pulseaudio (socket $SOCK)"
  env HOME="$VA_DIR/home" XDG_RUNTIME_DIR="$RUN" PULSE_RUNTIME_PATH="$RUN" PULSE_STATE_PATH="$VA_DIR/state" \
    pulseaudio --daemonize=yes -n --use-pid-file=yes --exit-idle-time=-1 \
      --realtime=no --high-priority=no --log-target="file:$VA_DIR/pulseaudio.log" \
      --load="module-native-protocol-unix socket=$SOCK auth-anonymous=1"
  local i
  for i in $(seq 100); do running && return 0; sleep 0.1; done
  log "ERROR: pulseaudio did not come up; log:"; tail -20 "$VA_DIR/pulseaudio.log" >&2; return 1
}

ensure_modules() {
  local s sinks mods
  sinks=$(pa pactl list short sinks | cut -f2)
  for s in speaker mic_feed keepalive_dump; do
    grep -qx "$s" <<<"$sinks" || pa pactl load-module module-null-sink sink_name=$s \
      sink_properties=device.description=$s >/dev/null
  done
  mods=$(pa pactl list short modules)
  for s in mic_feed speaker; do
    grep -q "module-loopback.*source=$s.monitor" <<<"$mods" || pa pactl load-module module-loopback \
      source=$s.monitor sink=keepalive_dump latency_msec=20 source_dont_move=true sink_dont_move=true >/dev/null
  done
  pa pactl set-default-sink speaker
  pa pactl set-default-source mic_feed.monitor
}

wait_low_latency() {  # null sinks start on a 2 s timer; wait until all report < 100 ms
  local i lat
  for i in $(seq 100); do
    lat=$(pa pactl list sinks | sed -n 's/^[[:space:]]*Latency: \([0-9]*\) usec.*/\1/p' | sort -n | tail -1)
    [ -n "$lat" ] && [ "$lat" -lt 100000 ] && { log "ready (max sink latency ${lat} us)"; return 0; }
    sleep 0.1
  done
  log "WARNING: sink latency still ${lat:-?} us after 10 s"
}

stop_daemon() {
  local pid
  pid=$(cat "$RUN/pid" 2>/dev/null || true)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then log "not running"; return 0; fi
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || { log "stopped pid $pid"; return 0; }; sleep 0.1; done
  log "pid $pid did not exit on SIGTERM, sending SIGKILL"; kill -9 "$pid" 2>/dev/null || true
}

case "${1:-start}" in
  start)
    install_pkgs
    mkdir -p "$VA_DIR"; write_asoundrc
    running && log "pulseaudio already running" || start_daemon
    ensure_modules
    wait_low_latency
    print_env | tee "$VA_DIR/env.sh"
    ;;
  env) print_env ;;
  status) running && { pa pactl info | grep -E "Default (Sink|Source)" >&2; pa pactl list short sinks >&2; } \
            || { log "not running"; exit 1; } ;;
  stop) stop_daemon ;;
  *) echo "usage: $0 [start|stop|status|env]" >&2; exit 2 ;;
esac
