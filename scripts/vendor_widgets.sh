#!/usr/bin/env bash
# Serve the page JavaScript from the book itself, so the static book works offline and no
# request leaves the host (toolchain notes §3, pitfalls P1/P3/P4): fetch the tarballs of
# @jupyter-widgets/html-manager, requirejs and MathJax 3 from the npm registry with
# `npm pack` (no dependency tree), check their sha256, and copy
#   embed-amd.js + fonts + require.js -> book/_widgets/widgets/  (ipywidgets on the page)
#   es5/tex-mml-chtml.js + its woff-v2 fonts -> book/_widgets/mathjax/  (equations)
# (git-ignored, except the committed require-config.js). Idempotent.
set -euo pipefail
HM=1.0.15
RJ=2.3.8
HM_SHA=2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638
RJ_SHA=777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec
MJ=3.2.2
MJ_SHA=1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/book/_widgets/widgets"
MJDEST="$ROOT/book/_widgets/mathjax"
if [ -f "$DEST/.version-$HM-$RJ" ] && [ -f "$MJDEST/.version-$MJ" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "vendor_widgets: npm is needed (apt-get install nodejs npm)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "@jupyter-widgets/html-manager@$HM" "requirejs@$RJ" \
    "mathjax@$MJ" >/dev/null 2>&1 )
echo "$HM_SHA  $tmp/jupyter-widgets-html-manager-$HM.tgz" | sha256sum -c --quiet
echo "$RJ_SHA  $tmp/requirejs-$RJ.tgz" | sha256sum -c --quiet
echo "$MJ_SHA  $tmp/mathjax-$MJ.tgz" | sha256sum -c --quiet
mkdir -p "$DEST"
tar -xzf "$tmp/jupyter-widgets-html-manager-$HM.tgz" -C "$tmp"
cp "$tmp"/package/dist/embed-amd.js "$tmp"/package/dist/*.{woff,woff2,ttf,eot,svg} "$DEST/"
cp "$tmp"/package/LICENSE "$DEST/LICENSE.html-manager" 2>/dev/null || true
mkdir -p "$tmp/rj" && tar -xzf "$tmp/requirejs-$RJ.tgz" -C "$tmp/rj"
cp "$tmp/rj/package/require.js" "$DEST/"
cp "$tmp/rj/package/LICENSE" "$DEST/LICENSE.requirejs" 2>/dev/null || true
touch "$DEST/.version-$HM-$RJ"
mkdir -p "$tmp/mj" "$MJDEST/output/chtml/fonts"
tar -xzf "$tmp/mathjax-$MJ.tgz" -C "$tmp/mj" package/es5/tex-mml-chtml.js \
    package/es5/output/chtml/fonts/woff-v2 package/LICENSE
cp "$tmp/mj/package/es5/tex-mml-chtml.js" "$MJDEST/"
rm -rf "$MJDEST/output/chtml/fonts/woff-v2"
cp -r "$tmp/mj/package/es5/output/chtml/fonts/woff-v2" "$MJDEST/output/chtml/fonts/"
cp "$tmp/mj/package/LICENSE" "$MJDEST/LICENSE.mathjax"
touch "$MJDEST/.version-$MJ"
echo "vendored html-manager $HM, requirejs $RJ and MathJax $MJ into book/_widgets/"
