#!/usr/bin/env bash
# Install Xvfb, xrandr (x11-xserver-utils: two monitors on one Xvfb screen) and the X
# libraries PyQt6 needs (Debian/Ubuntu), when missing and possible. Without them the
# real-window tests are skipped with a reason; every other test still runs.
set -u
packages=(xvfb libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
          libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libegl1 libgl1
          libfontconfig1 libdbus-1-3 xauth fonts-dejavu-core x11-xserver-utils)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "note: no apt-get; install Xvfb and the Qt xcb libraries yourself: ${missing[*]}" >&2; exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && { command -v sudo >/dev/null && sudo="sudo" || { echo "note: not root; missing: ${missing[*]}" >&2; exit 0; }; }
echo "installing system packages: ${missing[*]}"
$sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "note: could not install ${missing[*]}; the real-window tests will be skipped" >&2
exit 0
