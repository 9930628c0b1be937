#!/bin/sh
# Install the few system packages the project needs, only where they are missing:
#   the ALSA headers (simpleaudio is compiled against them), a C compiler, the Python headers, venv support;
#   for the reminders' tests, dbus-daemon (a private session bus) and systemd-analyze (checks the unit files);
#   ffmpeg (the tests measure the loudness of decoded MP3s with its ebur128 filter; coach itself does not use it);
#   for media keys and live playback, playerctl (the tests drive coach with it) and PortAudio;
#   the DejaVu fonts, the only fonts coach's pictures and printed pages are drawn with;
#   poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm: the tests read coach's PDFs back with them);
#   and, only where no sound server is installed (no PulseAudio, no PipeWire: a fresh server or CI), PulseAudio, its
#   tools and ALSA's pulse plugin, which the paced playback tests run privately. On a PipeWire desktop they are left
#   out (Debian's pulseaudio package would start competing with pipewire-pulse) and those tests say why they skip.
# As root it runs apt-get; with password-less sudo it uses sudo; otherwise it prints the exact command and stops.
set -eu
python=${1:-python3}

missing=""
has_lib() {  # a shared library or plugin, in Debian's multiarch folders or a plain lib folder
    for file in /usr/lib/*/"$1" /usr/lib/"$1" /usr/lib64/"$1"; do [ -e "$file" ] && return 0; done
    return 1
}
[ -f /usr/include/alsa/asoundlib.h ] || missing="$missing libasound2-dev"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
"$python" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || missing="$missing python3-dev"
"$python" -c 'import ensurepip' 2>/dev/null || missing="$missing python3-venv"
command -v dbus-daemon >/dev/null 2>&1 || missing="$missing dbus"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
command -v playerctl >/dev/null 2>&1 || missing="$missing playerctl"
has_lib libportaudio.so.2 || missing="$missing libportaudio2"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing="$missing fonts-dejavu-core"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
if ! command -v pulseaudio >/dev/null 2>&1 && ! command -v pipewire >/dev/null 2>&1; then
    missing="$missing pulseaudio pulseaudio-utils libasound2-plugins"
elif command -v pulseaudio >/dev/null 2>&1; then
    command -v parec >/dev/null 2>&1 || missing="$missing pulseaudio-utils"
    has_lib alsa-lib/libasound_module_pcm_pulse.so || missing="$missing libasound2-plugins"
fi

[ -z "$missing" ] && exit 0

command="apt-get install -y --no-install-recommends$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "coach needs these system packages (Debian names):$missing. Install them with your package manager, then run make again." >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive $command -qq
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "Installing system packages with sudo:$missing"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $command -qq
else
    echo "coach needs system packages that are not installed. Run this, then run make again:" >&2
    echo "    sudo apt-get update && sudo $command" >&2
    exit 1
fi
