#!/usr/bin/env bash
# Runs every test of the solution (unit, actor and integration) and prints "N passed, N failed".
# Needs ffmpeg, mosquitto, python3-aiosmtpd, GStreamer's RTSP server for Python, chromium and tests/ui's npm packages; `bash .ci/run` installs them on a fresh Debian machine.
set -uo pipefail
cd "$(dirname "$0")/.."

command -v ffmpeg >/dev/null || { echo "ffmpeg is missing: run 'bash .ci/run' (installs it with apt) or 'sudo apt-get install ffmpeg'" >&2; exit 1; }
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null || { echo "mosquitto is missing: run 'bash .ci/run' or 'sudo apt-get install mosquitto mosquitto-clients'" >&2; exit 1; }
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || { echo "python3-aiosmtpd is missing: run 'bash .ci/run' or 'sudo apt-get install python3-aiosmtpd'" >&2; exit 1; }
/usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer" 2>/dev/null \
  || { echo "GStreamer's RTSP server is missing: run 'bash .ci/run' or 'sudo apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly'" >&2; exit 1; }

[ -x /usr/bin/chromium ] || { echo "chromium is missing (the web UI's browser specs): run 'bash .ci/run' or 'sudo apt-get install chromium'" >&2; exit 1; }
[ -d tests/ui/node_modules/playwright-core ] || { echo "tests/ui has no node_modules (the web UI's browser specs): run 'bash .ci/run' or 'npm ci --prefix tests/ui'" >&2; exit 1; }

results=TestResults
rm -rf "$results"
dotnet build HomeSec.sln --nologo -v quiet || { echo "0 passed, 1 failed (build failed)"; exit 1; }
dotnet test HomeSec.sln --no-build --nologo --results-directory "$results" --logger trx "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
