#!/usr/bin/env bash
# analysis_errors.t - errors that help (issue 19): a sample log without
# -f or with an unknown key is one usage error that names the fix; the
# sample field names are the same on text and binary logs; histo,
# hotness and xval share one exit-status scheme and print nothing after
# a failed open; values beyond 64 bits are "out of range"; --top breaks
# ties in numeric order; xval refuses a log with nothing to match.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
H=$BIN/histo HN=$BIN/hotness X=$BIN/xval
tool() { local t=${1#$BIN/}; echo "${t%% *}"; }	# a command's program name

"$GENLOG" -n 3000 -s 5 | awk '!/^#/ && NR % 5 == 0 { $0 = $0 " expired=1" }
	NR % 7 == 0 { sub(/delay=/, "revisit=0 delay=") } { print }' > "$T/s.txt"
"$GENLOG" --from-text -o "$T/s.bin" < "$T/s.txt"
grep -v '^#' "$T/s.txt" | awk '{ print $1, $2, $3, $4 }' > "$T/stap.log"

# --- 1. a sample log without -f ------------------------------------------
for f in s.txt stap.log; do
	out=$($H "$T/$f" 2>"$T/err"); rc=$?
	is "$rc" 2 "histo $f without -f: a usage error, exit 2"
	like "$(cat "$T/err")" 'sample log: give -f KEY \(t, vcpu, gfn, type, level, delay' "... that names the fix"
	unlike "$(cat "$T/err")" 'malformed' "... not a malformed-line report"
	is "$out" "" "... and prints no histogram"
done
printf 'lat=5 op=read\nlat=7 op=write\n' > "$T/kv.txt"
$H "$T/kv.txt" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "other key=value input without -f: exit 2"
like "$(cat "$T/err")" 'key=value input: give -f KEY \(keys on line 1: lat, op\)' "... with the keys it has"
printf '5\nabc\n7\n' > "$T/num.txt"
$H "$T/num.txt" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 0 "numbers with a bad line: still read (exit 0)"
like "$(cat "$T/err")" '1 malformed line; first: line 2 \(not an integer\)' "... and the bad line reported"

# --- 2. an unknown key ---------------------------------------------------
for f in s.txt s.bin; do
	out=$($H -f delya "$T/$f" 2>"$T/err"); rc=$?
	is "$rc" 2 "histo -f delya on $f: exit 2"
	is "$(wc -l < "$T/err")" 1 "... said once"
	like "$(cat "$T/err")" "unknown sample field 'delya': valid are t, vcpu, gfn, type, level, delay, flags, expired, revisit, abit \(also time_ns, delay_ns, xwr\)" \
		"... with the valid sample fields"
	is "$out" "" "... and no output"
done
$H -f delay_ns "$T/stap.log" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "-f delay on a SystemTap sample log (no delay=): exit 2"
like "$(cat "$T/err")" "SystemTap sample log \(no level=, delay=\): -f delay_ns does not apply; its fields are t, vcpu, gfn, type" \
	"... once, with the fields it has"
is "$($H -q -f vcpu --top 9 "$T/stap.log" | rows)" "$($H -q -f vcpu --top 9 "$T/s.txt" | rows)" \
	"-f vcpu on the SystemTap sample log: as on the module's"
$H -f nosuch "$T/kv.txt" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "unknown key in other key=value input: exit 2"
like "$(cat "$T/err")" "no key 'nosuch' in the first 2 lines \(keys on line 1: lat, op\)" "... with the keys there"

# --- 3. the same field names on text and binary logs --------------------
for pair in "delay delay_ns" "t time_ns" "type xwr"; do
	set -- $pair
	want=$($H -q -f "$1" "$T/s.bin" | rows)
	for f in s.txt s.bin; do
		for k in $1 $2; do
			is "$($H -q -f "$k" "$T/$f" | rows)" "$want" "-f $k on $f = -f $1 on s.bin"
		done
	done
done
# expired, revisit, flags: from awk on the text
n_exp=$(grep -c ' expired=1' "$T/s.txt")
n_all=$(grep -vc '^#' "$T/s.txt")
for f in s.txt s.bin; do
	is "$($H -q --linear 0,1,1 -f expired "$T/$f" | rows)" "0 $((n_all - n_exp))
1 $n_exp" "-f expired on $f: as many 1s as expired=1 lines"
	is "$($H -q --top 5 -f flags "$T/$f" | rows)" "$($H -q --top 5 -f flags "$T/s.bin" | rows)" "-f flags on $f = on the binary log"
done
# KVM_EPT_SAMPLE_F_EXPIRED, from include/kvm_ept_sample.h
fexp=$(($(awk '$2 == "KVM_EPT_SAMPLE_F_EXPIRED" { print $3 }' "$EPTSCOPE_ROOT/include/kvm_ept_sample.h")))
like "$($H --top 2 -f flags "$T/s.txt" | rows)" "^$fexp $n_exp$" "flags of expiry records: KVM_EPT_SAMPLE_F_EXPIRED"

# --- 4. one exit-status scheme -------------------------------------------
for cmd in "$H -f delay" "$HN" "$X $T/s.txt" ; do
	out=$($cmd "$T/missing" 2>"$T/err"); rc=$?
	is "$rc" 2 "$(tool "$cmd") on a missing file: exit 2"
	is "$out" "" "... and no output (no empty frame)"
	like "$(cat "$T/err")" 'missing: No such file' "... said so"
	out=$($cmd "$T" 2>/dev/null); rc=$?
	is "$rc" 2 "$(tool "$cmd") on an unreadable file (a directory): exit 2"
done
for cmd in "$H -f delay" "$HN" "$X $T/s.txt"; do
	$cmd -o "$T/out.txt" "$T/missing" >/dev/null 2>&1
	[ ! -e "$T/out.txt" ]
	ok $? "$(tool "$cmd") -o FILE on a missing log: FILE is not created"
	rm -f "$T/out.txt"
done
out=$($X "$T/missing" "$T/stap.log" 2>/dev/null); rc=$?
is "$rc:$out" "2:" "xval with a missing module log: exit 2, nothing printed"
out=$($H -f delay "$T/s.txt" "$T/missing" 2>/dev/null); rc=$?
is "$rc:$out" "2:" "histo: the second file missing: exit 2, nothing printed"
: > "$T/empty"
for cmd in "$H" "$HN" "$X $T/stap.log"; do
	$cmd "$T/empty" >/dev/null 2>&1; is "$?" 1 "$(tool "$cmd") on an empty log: exit 1"
done
for cmd in "$H --nosuch" "$HN --nosuch" "$X --nosuch a b" "$H -f delay --vcpu x $T/s.txt" \
	"$HN --type q $T/s.txt" "$X --from 2s --to 1s $T/s.txt $T/stap.log"; do
	$cmd >/dev/null 2>&1; is "$?" 2 "'${cmd#$BIN/}': a usage error, exit 2"
done
scheme=$($H --help | sed -n '/^Exit status/,$p')
like "$scheme" '^Exit status \(every analysis tool alike\): 0 done; 1 nothing usable' "histo --help gives the scheme"
is "$($HN --help | sed -n '/^Exit status/,$p')" "$scheme" "hotness --help gives the same scheme"
is "$($X --help | sed -n '/^Exit status/,$p')" "$scheme" "xval --help gives the same scheme"
for t in wss heatmap placement; do
	is "$("$BIN/$t" --help | sed -n '/^Exit status/,$p' | head -n 4)" "$scheme" "$t --help gives the same scheme"
done
is "$(grep -c '^## Exit status' "$EPTSCOPE_ROOT/docs/analysis.md")" 1 "docs/analysis.md documents it once"

# --- 5. out of range ------------------------------------------------------
printf '%s\n' 18446744073709551615 99999999999999999999 -9223372036854775809 \
	0x1ffffffffffffffff 12x 0000000000000000000000042 9223372036854775807 > "$T/big.txt"
err=$($H -q "$T/big.txt" 2>&1 >/dev/null)
like "$err" '5 malformed lines; first: line 1 \(out of range \(beyond 64 bits\)\), line 2 \(out of range \(beyond 64 bits\)\), line 3 \(out of range \(beyond 64 bits\)\), line 4 \(out of range \(beyond 64 bits\)\), line 5 \(not an integer\)$' \
	"values beyond 64 bits: out of range; 12x: not an integer"
like "$($H "$T/big.txt" 2>/dev/null)" '^# count=2 min=42 max=9223372036854775807 ' "leading zeros do not count against the width"
printf 't=1 vcpu=0 gfn=0x1 type=r-- level=1 delay=18446744073709551616\n' > "$T/k.txt"
like "$($H -f delay "$T/k.txt" 2>&1 >/dev/null)" 'line 1 \(value out of range \(beyond 64 bits\)\)' "a kv value beyond 64 bits: out of range"
$H --top 99999999999999999999 "$T/num.txt" 2>"$T/err" >/dev/null
like "$(cat "$T/err")" "--top: out of range" "an option value beyond 64 bits: out of range"

# --- 6. --top ties in numeric order ---------------------------------------
printf 'gfn=%s\n' 0x1000 0x10 0x1 0x0 0x2 0x1000 > "$T/g.txt"
is "$($H -q --top 9 -f gfn "$T/g.txt" | rows | tr '\n' ' ')" "0x1000 2 0x0 1 0x1 1 0x2 1 0x10 1 " \
	"--top: count first, then hex keys in numeric order"
printf '%s\n' 100 9 10 -1 -20 x > "$T/d.txt"
is "$($H -q --top 9 -F kv -f v <(sed 's/^/v=/' "$T/d.txt") | rows | tr '\n' ' ')" "-20 1 -1 1 9 1 10 1 100 1 x 1 " \
	"--top: signed decimal keys in numeric order, then other keys"

# --- 7. xval: nothing to match --------------------------------------------
printf 'garbage\nmore garbage\n' > "$T/garbage.txt"
head -c 64 "$T/s.bin" > "$T/hdr.bin"
for m in empty garbage.txt hdr.bin; do
	out=$($X "$T/$m" "$T/stap.log" 2>"$T/err"); rc=$?
	is "$rc" 1 "xval: module log $m: exit 1"
	like "$(cat "$T/err")" "$m: no module samples to match" "... with a warning"
	unlike "$out" 'match_module=' "... not a 0.00% result"
done
like "$($X "$T/garbage.txt" "$T/stap.log" 2>&1)" '2 malformed lines' "... the malformed lines counted"
out=$($X "$T/s.txt" "$T/garbage.txt" 2>"$T/err"); rc=$?
is "$rc" 1 "xval: an unparseable SystemTap log: exit 1"
like "$(cat "$T/err")" 'garbage.txt: no SystemTap events to match' "... with a warning"
$X "$T/s.txt" "$T/stap.log" >/dev/null 2>&1; is "$?" 0 "xval on good logs: exit 0"
done_testing
