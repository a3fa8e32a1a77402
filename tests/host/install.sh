#!/bin/bash
# `make install` and the man pages: the installed files are exactly those README.md's "Install"
# lists; the installed ioucmd finds a shipped scenario by name; `make uninstall` removes them
# all; every page renders without a warning from man; the long options of each subcommand's
# --help and of its man page are the same; ioucmd-scenario(5) names every scenario key and every
# expectation field of the parser's tables.
# KTAP; exit 0 pass, 1 fail (kselftest).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
prefix=/usr
bindir=$prefix/bin datadir=$prefix/share mandir=$prefix/share/man

echo "TAP version 13"

# ---- make install: exactly the documented files --------------------------------------------
# README's list, with BINDIR, DATADIR and MANDIR for PREFIX=/usr, the scenarios line expanded
documented() {
	sed -n '/^<!-- install-files -->$/,/^<!-- \/install-files -->$/p' README.md | sed '/^<!--\|^```/d' |
	while read -r path _; do
		path=${path/#BINDIR/$bindir} path=${path/#DATADIR/$datadir} path=${path/#MANDIR/$mandir}
		case $path in
		*/scenarios/) find scenarios -type f | sed "s|^|${path%scenarios/}|" ;;
		*) echo "$path" ;;
		esac
	done | sort
}
documented >"$work/want"
if ! [ -s "$work/want" ]; then
	not_ok "README.md lists the installed files between <!-- install-files --> markers"
elif ! make --no-print-directory install DESTDIR="$root" PREFIX=$prefix >"$work/log" 2>&1; then
	not_ok "make install DESTDIR=... PREFIX=$prefix"
	sed 's/^/# /' "$work/log" | tail -20
else
	(cd "$root" && find . -type f -o -type l) | sed 's|^\.||' | sort >"$work/got"
	if diff -u "$work/want" "$work/got" >"$work/diff"; then
		ok "make install PREFIX=$prefix installs the $(wc -l <"$work/want") files README.md lists"
	else
		not_ok "make install PREFIX=$prefix: installed files differ from README.md's list (- listed, + installed)"
		sed 's/^/# /' "$work/diff" | tail -n +3
	fi
fi
ioucmd=$root$bindir/ioucmd

# ---- ioucmd run NAME: a shipped scenario, found beside the installed binary -----------------
# Files are all read before anything runs, so a name that resolves and one that does not show
# the lookup without loading the tracer: "1 of 2" invalid means the shipped one was found.
"$ioucmd" run null no-such-scenario >"$work/out" 2>"$work/err"
rc=$?
if [ $rc = 2 ] && grep -q '1 of 2 scenario files are invalid' "$work/err"; then
	ok "ioucmd run null: the shipped $datadir/ioucmd/scenarios/null.ini is found by name"
else
	not_ok "ioucmd run null: the shipped scenario is not found by name (exit $rc)"
	sed 's/^/# /' "$work/err"
fi
want="nor is 'no-such-scenario' a shipped scenario: no $root$bindir/../share/ioucmd/scenarios/no-such-scenario[.ini]"
if grep -qF "$want" "$work/err"; then
	ok "ioucmd run no-such-scenario names where it looked"
else
	not_ok "ioucmd run no-such-scenario does not say: $want"
	sed 's/^/# /' "$work/err"
fi

# ---- man pages: rendered without warnings ---------------------------------------------------
pages=("$root$mandir"/man?/*)
for p in "${pages[@]}"; do
	name=${p##*/}
	MANWIDTH=80 man --warnings -l "$p" >"$work/page" 2>"$work/warn"
	rc=$?
	if [ $rc = 0 ] && ! [ -s "$work/warn" ] && grep -q . "$work/page"; then
		ok "man --warnings -l $name: no warnings"
	else
		not_ok "man --warnings -l $name: exit $rc, warnings:"
		sed 's/^/# /' "$work/warn" | head -10
	fi
done

# ---- the options of --help and of the man page agree -----------------------------------------
# long options as written: --name; the page is rendered in ASCII, without hyphenation
long_opts() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
page_opts() { LC_ALL=C MANWIDTH=80 man --nh --nj -l "$1" 2>/dev/null | long_opts; }
# the subcommands, from ioucmd's own table (help is ioucmd(8)'s)
subcmds=$("$ioucmd" help | awk '/^  [a-z]/ && $1 != "help" { print $1 }')
[ -n "$subcmds" ] || not_ok "ioucmd help lists no subcommands"
for sub in "" $subcmds; do
	page=$root$mandir/man8/ioucmd${sub:+-$sub}.8
	what="ioucmd${sub:+ $sub} --help and ${page##*/}"
	# --help itself is an option of every subcommand: it printed this
	if ! help=$("$ioucmd" $sub --help 2>&1); then
		not_ok "$what: --help failed"
	elif ! [ -f "$page" ]; then
		not_ok "$what: no man page ${page##*/} for the subcommand"
	else
		{ echo --help; long_opts <<<"$help"; } | sort -u >"$work/help-opts"
		page_opts "$page" >"$work/page-opts"
		if diff "$work/help-opts" "$work/page-opts" >"$work/diff"; then
			ok "$what: the same long options ($(tr '\n' ' ' <"$work/help-opts"))"
		else
			not_ok "$what: the long options differ (< only in --help, > only in the page)"
			grep '^[<>]' "$work/diff" | sed 's/^/# /'
		fi
	fi
done

# ---- ioucmd-scenario(5) names every key and every expectation field ---------------------------
scn=$root$mandir/man5/ioucmd-scenario.5
LC_ALL=C MANWIDTH=200 man --nh --nj -l "$scn" >"$work/scn" 2>/dev/null
# the names on stdin that the page does not define: a term line (indented 7 columns) that is
# "NAME = ..." for a key, "NAME" or "NAME, OTHER, ..." for a field; prose mentions do not count
terms_missing() {
	local w re
	while read -r w; do
		re=${w//./\\.}
		grep -qE "^ {7}([a-z0-9_.]+, +)*$re(,| |$)" "$work/scn" || echo "$w"
	done
}
# lib/scenario.c's keys[]: [K_NAME] = { "name", ...
keys=$(grep -oE '^\s*\[K_[A-Z0-9_]+\] = \{ "[a-z0-9_]+"' lib/scenario.c | grep -oE '"[a-z0-9_]+"' | tr -d '"')
missing=$(terms_missing <<<"$keys")
if [ -n "$keys" ] && [ -z "$missing" ]; then
	ok "ioucmd-scenario(5) documents all $(wc -w <<<"$keys") keys of lib/scenario.c"
else
	not_ok "ioucmd-scenario(5) lacks scenario keys: $(echo $missing)"
fi
# lib/expect.c's fields[]: { "name", EXPECT_..., plus violations.RULE for each rule of cmd_state.h
fields=$( { grep -oE '^\s*\{ "[a-z0-9_.]+", EXPECT_' lib/expect.c | grep -oE '"[a-z0-9_.]+"' | tr -d '"'
	grep -oE '^\s*X\([A-Z0-9_]+, [a-z0-9_]+\)' bpf/cmd_state.h | sed -E 's/.*, ([a-z0-9_]+)\)/violations.\1/'; } )
missing=$(terms_missing <<<"$fields")
if [ -n "$fields" ] && [ -z "$missing" ]; then
	ok "ioucmd-scenario(5) documents all $(wc -w <<<"$fields") expectation fields of lib/expect.c"
else
	not_ok "ioucmd-scenario(5) lacks expectation fields: $(echo $missing)"
fi

# ---- make uninstall: nothing of it left --------------------------------------------------------
if ! make --no-print-directory uninstall DESTDIR="$root" PREFIX=$prefix >"$work/log" 2>&1; then
	not_ok "make uninstall DESTDIR=... PREFIX=$prefix"
	sed 's/^/# /' "$work/log" | tail -20
elif left=$(cd "$root" && find . -type f -o -type l) && [ -n "$left" ]; then
	not_ok "make uninstall left files behind"
	sed 's/^/# /' <<<"$left"
else
	ok "make uninstall PREFIX=$prefix removes every installed file"
fi

echo "1..$n"
exit $((failed > 0))
