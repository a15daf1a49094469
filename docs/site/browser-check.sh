#!/bin/sh
# Looks at the built site in a real browser (Debian's chromium, headless): each page below is loaded
# from a local web server, its DOM after the scripts ran must show the page (its heading, VitePress's
# sidebar and search box, or the Javadoc's search), and a screenshot is kept.
#
#   browser-check.sh SITE_DIR SCREENSHOT_DIR
set -eu
site=$1
shots=$2
command -v chromium >/dev/null || { echo "browser-check: no chromium (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$shots"
profile=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$profile"' EXIT INT TERM
for _ in 1 2 3 4 5 6 7 8 9 10; do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.5
done

chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
    --window-size=1280,900 --virtual-time-budget=8000 "$@" 2>/dev/null
}

failed=0
# page, what its rendered DOM must contain (grep -E), screenshot name
check() {
  dom=$(chrome --dump-dom "http://127.0.0.1:$port/$1") || dom=
  if printf '%s' "$dom" | grep -q -E "$2"; then
    chrome --screenshot="$shots/$3.png" "http://127.0.0.1:$port/$1" >/dev/null || :
    size=$(stat -c %s "$shots/$3.png" 2>/dev/null || echo 0)
    if [ "$size" -gt 20000 ]; then
      echo "browser-check: $1 renders ($shots/$3.png, $size bytes)"
      return
    fi
    echo "browser-check: $1: screenshot missing or blank ($size bytes)" >&2
  else
    echo "browser-check: $1: the rendered page lacks /$2/" >&2
  fi
  failed=1
}
check index.html 'class="VPSidebar.*|VPLocalSearchBox|DocSearch' home
[ -f "$site/getting-started.html" ] && check getting-started.html 'id="getting-started|VPDoc' getting-started
check api/index.html 'id="search-input"|search' javadoc
[ "$failed" = 0 ] || exit 1
