#!/usr/bin/env bash
# Serve the ipywidgets JavaScript from the book itself (toolchain notes §3, pitfalls P1/P3/P4):
# fetch @jupyter-widgets/html-manager and requirejs tarballs from the npm registry with
# `npm pack` (two tarballs, no dependency tree), check their sha256, and copy the built
# embed-amd.js, its fonts and require.js into book/_widgets/widgets/ (git-ignored, except
# the committed require-config.js). Idempotent: does nothing when the files are there.
set -euo pipefail
HM=1.0.15
RJ=2.3.8
HM_SHA=2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638
RJ_SHA=777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/book/_widgets/widgets"
if [ -f "$DEST/embed-amd.js" ] && [ -f "$DEST/require.js" ] && [ -f "$DEST/.version-$HM-$RJ" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "vendor_widgets: npm is needed (apt-get install nodejs npm)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "@jupyter-widgets/html-manager@$HM" "requirejs@$RJ" >/dev/null )
echo "$HM_SHA  $tmp/jupyter-widgets-html-manager-$HM.tgz" | sha256sum -c --quiet
echo "$RJ_SHA  $tmp/requirejs-$RJ.tgz" | sha256sum -c --quiet
mkdir -p "$DEST"
tar -xzf "$tmp/jupyter-widgets-html-manager-$HM.tgz" -C "$tmp"
cp "$tmp"/package/dist/embed-amd.js "$tmp"/package/dist/*.{woff,woff2,ttf,eot,svg} "$DEST/"
cp "$tmp"/package/LICENSE "$DEST/LICENSE.html-manager" 2>/dev/null || true
mkdir -p "$tmp/rj" && tar -xzf "$tmp/requirejs-$RJ.tgz" -C "$tmp/rj"
cp "$tmp/rj/package/require.js" "$DEST/"
cp "$tmp/rj/package/LICENSE" "$DEST/LICENSE.requirejs" 2>/dev/null || true
touch "$DEST/.version-$HM-$RJ"
echo "vendored @jupyter-widgets/html-manager $HM and requirejs $RJ into book/_widgets/widgets/"
