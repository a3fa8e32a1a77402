#!/bin/bash
# Prints the path of a promtool (Prometheus' own checker of the text format), for the tests:
# the machine's, else the one in bookworm's prometheus package, unpacked once into .cache/
# (installing the package would also install and start a Prometheus server).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if command -v promtool >/dev/null; then
	command -v promtool
	exit 0
fi
dir=$top/.cache/prometheus
tool=$dir/root/usr/bin/promtool
if [ ! -x "$tool" ]; then
	mkdir -p "$dir"
	rm -f "$dir"/prometheus_*.deb
	(cd "$dir" && apt-get download -q prometheus >/dev/null 2>&1) ||
		{ echo "promtool.sh: apt-get download prometheus failed" >&2; exit 1; }
	rm -rf "$dir/root"
	dpkg-deb -x "$dir"/prometheus_*.deb "$dir/root"
	rm -f "$dir"/prometheus_*.deb "$dir/root/usr/bin/prometheus"
fi
echo "$tool"
