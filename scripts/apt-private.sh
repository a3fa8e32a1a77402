# shellcheck shell=bash
# Sourced by the scripts that read Debian suites or architectures the host does not use (sid,
# arm64): one way to find the machine's Debian mirror, and one private apt state per purpose.
# Nothing here touches the host's apt or dpkg state, and no mirror name is written down: it is
# read from the machine's own apt sources.

# debian_mirror: the first URI this machine uses for Debian bookworm (deb822 or one-line
# sources); empty when there is none.
debian_mirror() {
	local f m=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ -z "$m" ] || continue
		m=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && /URIs:/ {
			for (i = 1; i <= NF; i++) if ($i == "URIs:") { print $(i+1); exit } }' "$f")
	done
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '/^deb +(\[[^]]*\] +)?[a-z]+:\/\/[^ ]+ +bookworm( |$)/ {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }')
	echo "$m"
}

# private_apt DIR ARCH SUITE... — an apt state in DIR for ARCH (amd64, arm64) reading SUITEs
# from the machine's mirror, refreshed when older than 12 hours. Sets PRIVATE_APT, the options
# to give apt-get and apt-cache: "apt-get "${PRIVATE_APT[@]}" download PKG".
private_apt() {
	local d=$1 arch=$2 m s
	shift 2
	PRIVATE_APT=(-o APT::Architecture="$arch" -o APT::Architectures="$arch"
		-o Dir::State="$d" -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d"
		-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
	if [ -f "$d/.updated" ] && [ -z "$(find "$d/.updated" -mmin +720 2>/dev/null)" ]; then
		return 0
	fi
	m=$(debian_mirror)
	[ -n "$m" ] || { echo "no Debian bookworm mirror in /etc/apt/sources*" >&2; return 2; }
	mkdir -p "$d/lists/partial" "$d/archives/partial"
	for s in "$@"; do
		echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $s main"
	done >"$d/sources.list"
	apt-get -qq "${PRIVATE_APT[@]}" update || return 2
	touch "$d/.updated"
}

# newest_package REGEX — the newest package name matching REGEX in the private apt
newest_package() {
	apt-cache "${PRIVATE_APT[@]}" search --names-only "$1" | awk '{print $1}' | sort -V | tail -n1
}
