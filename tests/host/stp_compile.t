#!/usr/bin/env bash
# stp_compile.t - CI: every script in stp/ compiles (stap -p4, through
# lab/stap) for each lab kernel (6.1, and 6.12 where lab/setup set it up)
# with the project's tapsets; every script
# has a header and a .meta file, whose test_support and test_check pass;
# the install target puts the tapsets where stap finds them without -I.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

command -v stap >/dev/null || skip_all "no stap (run lab/setup)"
[ -n "$(cat lab/cache/abi 2>/dev/null)" ] || skip_all "the lab is not set up (lab/setup)"
abi=$(cat lab/cache/abi)
newer=$(cat lab/cache/newer-abi 2>/dev/null || true)
[ "$newer" = none ] && newer=
abis="$abi${newer:+ $newer}"

# lab/stap-runtime.patch: it applies to this SystemTap's runtime (4.8),
# every hunk says it is eptscope's, and setup's copy is what it makes.
if [ -f lab/cache/stap-runtime/.patched ]; then
	patch -p1 -d /usr/share/systemtap/runtime --dry-run -s -f <lab/stap-runtime.patch >/dev/null
	ok $? "lab/stap-runtime.patch applies to /usr/share/systemtap/runtime"
	hunks=$(grep -c '^@@' lab/stap-runtime.patch)
	marked=$(awk '/^@@/ { if (h) n += m; h = 1; m = 0 } /^\+.*eptscope/ { m = 1 } END { if (h) n += m; print n + 0 }' lab/stap-runtime.patch)
	is "$marked" "$hunks" "each of the patch's $hunks hunks marks its change as eptscope's"
	pt=$(mktemp -d)
	cp -a /usr/share/systemtap/runtime "$pt/rt" && patch -p1 -d "$pt/rt" -s -f <lab/stap-runtime.patch
	diff -r -q -x .patched -x stp_task_work.c "$pt/rt" lab/cache/stap-runtime >/dev/null
	ok $? "lab/cache/stap-runtime is the system's runtime with the patch (and 6.1.y's task_work rename)"
	rm -rf "$pt"
fi

for s in stp/*.stp; do
	name=$(basename "$s" .stp)
	opts=()
	head -n 40 "$s" | grep -q 'stap -g' && opts=(-g)
	for a in $abis; do
		mod=$(LAB_ABI=$a lab/stap "${opts[@]}" "$s" 2>&1)
		ok $? "$name: stap -p4 ${opts[*]} for $a ($(tail -n 1 <<<"$mod"))"
	done
	grep -q '^ \* Purpose:' "$s" && grep -q '^ \* Usage:' "$s" && grep -q '^ \* Sample output' "$s"
	ok $? "$name: header with purpose, usage and sample output"
	unlike "$(cat "$s")" 'statement\("[^"]*@[^"]*:[0-9]+' "$name: no file:line statement probe"
	m=stp/$name.meta
	[ -f "$m" ] && for k in title name keywords description test_check test_installcheck; do
		grep -q "^$k: " "$m" || exit 1; done
	ok $? "$name: $m has title, name, keywords, description, test_check, test_installcheck"
done

# Each .meta's test_support and test_check, run as SystemTap's check.exp
# runs them, for the lab kernel: stap -r ABI for the probe points, the
# check through lab/stap (its -p4, the patched runtime, the tapsets). Their
# test_installcheck needs a running VMM: the lab tests (stp_*.t) run each
# script against workload/guest instead.
for m in stp/*.meta; do
	name=$(basename "$m" .meta)
	sup=$(sed -n 's/^test_support: //p' "$m") chk=$(sed -n 's/^test_check: //p' "$m")
	for a in $abis; do
		out=$(cd stp && eval "stap -r $a ${sup#stap }" 2>&1)
		ok $? "$name.meta: test_support holds for $a ($sup)"
		like "$out" '^module\("(kvm|vhost)"\)\.function\(' "... and names the probe point"
		c=${chk#stap }
		out=$(cd stp && eval "LAB_ABI=$a ../lab/stap ${c//-p4/}" 2>&1)
		ok $? "$name.meta: test_check compiles for $a ($chk)"
	done
done

# docs/tapsets.md's reference is the tapsets' own doc comments, current.
diff -u <(sed -n '/^## `tapsets\/kvm_mmu.stp`/,$p' docs/tapsets.md) <(tapsets/gen-reference) >"${TMPDIR:-/tmp}/tapref.$$.diff"
ok $? "docs/tapsets.md's reference is what tapsets/gen-reference makes of the tapsets (tapsets/gen-reference --update)"
[ -s "${TMPDIR:-/tmp}/tapref.$$.diff" ] && diag "$(head -n 20 "${TMPDIR:-/tmp}/tapref.$$.diff")"
rm -f "${TMPDIR:-/tmp}/tapref.$$.diff"

# Every tapset probe and function is documented, in the file and in docs/tapsets.md.
for t in tapsets/*.stp; do
	for p in $(sed -n 's/^probe \(\(kvm\|vhost\)\.[a-z_.]*\) *=.*/\1/p' "$t"); do
		grep -q "^ \* probe $p - " "$t" && grep -q "^### probe $p\$" docs/tapsets.md
		ok $? "$p: a /** probe doc comment and an entry in docs/tapsets.md"
	done
	for f in $(sed -n 's/^function \(\(kvm\|vhost\)_[a-z0-9_]*\):.*/\1/p' "$t"); do
		grep -q "^ \* sfunction $f - " "$t" && grep -q "^### function $f\$" docs/tapsets.md
		ok $? "$f: a /** sfunction doc comment and an entry in docs/tapsets.md"
	done
done

# make install's tapset directory is one stap searches (not a
# subdirectory of its own: stap does not descend into those).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$(make -s -n install DESTDIR="$tmp/root" 2>/dev/null | sed -n 's/.*install -d \([^ ]*tapset[^ ]*\) .*/\1/p' | head -n 1)
like "$dir" '/usr/share/systemtap/tapset/linux$' "make install puts the tapsets in .../tapset/linux ($dir)"
# A staged install (DESTDIR) leaves DKMS, which installs into this
# machine's own trees, alone.
out=$(make -s install DESTDIR="$tmp/stage" 2>&1)
like "$out" 'not installing the module through DKMS: DESTDIR is set' "make install DESTDIR=... does not run DKMS"
[ -x "$tmp/stage/usr/local/bin/eptscope-hotness" ]
ok $? "... and stages the tools under DESTDIR"
[ -f "$tmp/stage/usr/local/share/man/man1/eptscope-hotness.1" ] && [ -f "$tmp/stage/usr/local/share/man/man8/eptscope-kvmstat.8" ]
ok $? "... with their man pages (tests/host/man_pages.t checks each)"
cp -r /usr/share/systemtap/tapset "$tmp/ts"
for t in tapsets/*.stp; do cp "$t" "$tmp/ts/linux/eptscope_$(basename "$t")"; done
(cd "$tmp" && SYSTEMTAP_TAPSET=$tmp/ts stap -r "$abi" -g -p2 "$EPTSCOPE_ROOT/stp/ept_hot.stp" -x 1 >/dev/null 2>"$tmp/err")
ok $? "stap finds the installed tapsets without -I (ept_hot.stp, pass 2)"
[ -s "$tmp/err" ] && head -n 5 "$tmp/err" | sed 's/^/# /'
done_testing
