#!/usr/bin/env bash
# analysis_wss.t - analysis/wss on hand-made logs whose answers are worked
# out in the comments: accessed-bit records (Beta posteriors), fault
# samples and expiry records (Gamma posteriors), the scaling to frames
# not observed and its sampling variance, windows and percentiles, the
# truth's expected size and the error; then bad input (exit codes, clear
# errors, no output after a failed open), binary = text, and the man
# page naming every long option of --help.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
W=$BIN/wss

ab() { # t gfn touched: an accessed-bit record of a 100 ms interval
	if [ "$3" = 1 ]; then echo "t=$1 vcpu=4294967295 gfn=$2 type=--- level=1 delay=50000000 abit=1"
	else echo "t=$1 vcpu=4294967295 gfn=$2 type=--- level=1 delay=100000000 abit=1 expired=1"; fi
}

# --- accessed bits, a known answer: two frames always touched, one never
# The fitted rates: a third of the frames at 0, two thirds fast enough
# to touch every interval; so within 100 ms 0xa and 0xb, never 0xc: 2.0
# frames, with no doubt left (bounds 2.0 .. 2.0). (Within 10 ms it
# cannot say: a touched 100 ms interval tells 50/s from 5000/s apart
# only over many intervals.)
{
	echo "# hand-made accessed-bit log"
	ab 1000000000 0xa 1; ab 1000000001 0xb 1; ab 1000000002 0xc 0
	ab 1500000000 0xa 1; ab 1500000001 0xb 1; ab 1500000002 0xc 0
} >"$T/ab.txt"
"$GENLOG" --from-text -o "$T/ab.bin" <"$T/ab.txt"
out=$($W -i 100ms,10ms "$T/ab.txt")
l=$(grep '^window=0 .* idle=100ms ' <<<"$out")
is "$(kv_in wss_frames "$l") $(kv_in lo "$l") $(kv_in hi "$l") $(kv_in observed "$l")" "2.0 2.0 2.0 3" \
	"accessed bits, idle 100ms: the two frames touched in every interval"
is "$(kv_in interval_ms "$l")" "100.00" "the mean interval is said"
is "$(kv_in wss "$l")" "8.00KiB" "... in bytes (4 KiB frames)"
is "$($W -i 100ms,10ms "$T/ab.bin")" "$out" "the binary log gives the same"
# -N 6: half the guest observed: 2 x 2.0 = 4.0; the sampling variance of
# the other half: s^2 = var(1, 1, 0) = 1/3, N^2 (1 - 3/6) s^2 / 3 = 2,
# se 1.414: 4 -+ 2.77, within 0 .. 6.
l=$($W -i 100ms -N 6 "$T/ab.txt" | head -n 1)
is "$(kv_in wss_frames "$l") $(kv_in lo "$l") $(kv_in hi "$l")" "4.0 1.2 6.0" \
	"-N 6: scaled to the frames not observed, with their sampling variance"
l99=$($W -i 100ms -N 6 -c 99 "$T/ab.txt" | head -n 1)
is "$(kv_in lo "$l99")" "0.4" "-c 99: wider bounds (z = 2.576: 4 - 3.64)"

# --- a simulated guest whose working set is known ---------------------
# 2000 frames, 200 at 50 accesses/s and 1800 at 1/s; accessed bits: ten
# 100 ms intervals each (touched with 1 - e^(-rate x 0.1 s)); faults:
# ten armings each, expiring after 1 s (an Exp(rate) delay, or an
# expiry record of 1 s). True working set within D: 200 (1 - e^(-50 D))
# + 1800 (1 - e^(-D)): 100 ms 370.0, 1 s 1337.8, 10 s 1999.9.
sim() { # abit|faults
	awk -v mode=$1 'BEGIN { srand(7); t = 1000000000
	for (r = 0; r < 10; r++) for (f = 0; f < 2000; f++) {
		rate = f < 200 ? 50 : 1; t += 400000
		if (mode == "abit") {
			if (rand() < 1 - exp(-rate * 0.1))
				printf "t=%d vcpu=4294967295 gfn=0x%x type=--- level=1 delay=50000000 abit=1\n", t, f
			else
				printf "t=%d vcpu=4294967295 gfn=0x%x type=--- level=1 delay=100000000 abit=1 expired=1\n", t, f
		} else {
			d = -log(1 - rand()) / rate
			if (d < 1) printf "t=%d vcpu=0 gfn=0x%x type=r-- level=1 delay=%d\n", t, f, d * 1e9
			else printf "t=%d vcpu=0 gfn=0x%x type=--- level=1 delay=1000000000 expired=1\n", t, f
		} } }'
}
sim abit >"$T/sim-ab.txt"
sim faults >"$T/sim-f.txt"
within() { awk -v x="$1" -v y="$2" -v tol="$3" 'BEGIN { exit !((x - y) / y <= tol && (y - x) / y <= tol) }'; }
for m in ab f; do
	out=$($W -w 100s -i 100ms,1s,10s "$T/sim-$m.txt")
	for c in 100ms:370.0 1s:1337.8 10s:1999.9; do
		got=$(kv_in wss_frames "$(grep "idle=${c%%:*} " <<<"$out" | head -n 1)")
		within "$got" "${c#*:}" 0.05
		ok $? "simulated guest ($m), idle ${c%%:*}: $got frames, truly ${c#*:} (within 5%)"
	done
done
l=$($W -w 100s -i 1s "$T/sim-ab.txt" | head -n 1)
# The bounds hold the frames' own uncertainty, not the fit's: they are
# narrower than the model's error here (docs/analysis.md, "wss").
awk -v lo="$(kv_in lo "$l")" -v e="$(kv_in wss_frames "$l")" -v hi="$(kv_in hi "$l")" 'BEGIN { exit !(lo < e && e < hi && hi - lo < 100) }'
ok $? "... its 95% bounds ($(kv_in lo "$l") .. $(kv_in hi "$l")) lie around the estimate"

# --- windows and percentiles --------------------------------------------
# window 0 (1 s .. 3 s): 0xa touched: 1.0, and the log has two frames:
# 0xb, not observed, taken to be like 0xa: 2.0; window 1: 0xa and 0xb
# touched: 2.0; window 2 empty (not printed, not counted); window 3: 0xa
# untouched: 0. Sorted 0, 2, 2: mean 1.33 (5.33 KiB); nearest rank:
# percentile 0 and 25 = 0, 50, 75 and 100 = 2.
{
	ab 1000000000 0xa 1; ab 3000000000 0xa 1; ab 3000000001 0xb 1
	ab 7000000000 0xa 0
} >"$T/w.txt"
out=$($W -w 2s -i 100ms "$T/w.txt")
is "$(grep -c '^window=' <<<"$out")" 3 "-w 2s: three windows with records (the empty one left out)"
is "$(grep '^window=' <<<"$out" | awk '{ print $1, $2 }' | tr '\n' ' ')" \
	"window=0 start_ns=1000000000 window=1 start_ns=3000000000 window=3 start_ns=7000000000 " \
	"... numbered and placed from the first record"
like "$out" '^idle=100ms windows=3 frames=2 avg_frames=1\.3 avg=5\.33KiB$' "the summary: 3 windows, 2 frames in the log, mean 1.33"
is "$(grep percentile= <<<"$out" | awk '{ print $1, $3 }' | tr '\n' ' ')" \
	"percentile=0 wss_frames=0.0 percentile=25 wss_frames=0.0 percentile=50 wss_frames=2.0 percentile=75 wss_frames=2.0 percentile=100 wss_frames=2.0 " \
	"percentiles 0, 25, 50, 75, 100 (nearest rank)"
is "$($W -q -w 2s -i 100ms "$T/w.txt")" "$(grep -v '^window=' <<<"$out")" "-q: the summary alone"
like "$($W -w 2s -i 100ms "$T/w.txt" 2>&1 >/dev/null)" '3 of 3 windows have fewer than 3 records a frame' \
	"windows with few records a frame are said to lean on the fit"
# window 1 alone with --from 2s --to 4s (the windows start at --from; the
# time origin stays the log's first record)
like "$($W -w 2s -i 100ms --from 2s --to 4s "$T/w.txt" | head -n 1)" '^window=0 start_ns=3000000000 .* wss_frames=2\.0 ' \
	"--from/--to: the window of those records alone"

# --- against the truth ---------------------------------------------------
# Two frames of share 0.5, the guest at 10 accesses/s: 5/s each; within
# 100 ms 2 (1 - e^-0.5) = 0.7869, within 1 s 2 (1 - e^-5) = 1.9865. In
# ab.txt they are 0xa and 0xb (0xc is not described): data_wss = 2.0,
# error +154.15% at 100 ms, +0.68% at 1 s.
cat >"$T/truth" <<'IN'
# columns=gfn phase share hot
10 0 0.5 1
11 0 0.5 1
IN
printf 'running pid=1\ntotal vcpus=1 accesses=50 rate=10 wall_s=5\n' >"$T/guest.out"
out=$($W -i 100ms,1s -g "$T/truth" -R 10 "$T/ab.txt")
l=$(grep '^window=0 .*idle=100ms' <<<"$out")
is "$(kv_in truth_wss "$l") $(kv_in data_wss "$l") $(kv_in error "$l")" "0.8 2.0 +154.15%" \
	"--truth: the expected true size, the estimate over the truth's frames, the error"
is "$(kv_in error "$(grep '^window=0 .*idle=1s' <<<"$out")")" "+0.68%" "... at 1 s"
like "$out" '^idle=1s .* mean_abs_error=0\.68% max_abs_error=0\.68%$' "the summary gives the mean and largest error"
is "$($W -i 100ms,1s -g "$T/truth" -R "$T/guest.out" "$T/ab.txt")" "$out" \
	"-R FILE: the rate from workload/guest's 'total ... rate=' line"
# -R FILE with tick lines (each vCPU's rate over the second before t, t
# from the guest's start, here the log's first record): a window's truth
# is the mean of its ticks' truths, weighted by their overlap with it.
# Ticks summing to 10/s all through give -R 10's answer exactly.
{
	echo "running pid=1"
	for t in 1 2 3 4 5 6; do
		echo "tick t=$t.000 vcpu=0 accesses=0 rate=4"
		echo "tick t=$t.000 vcpu=1 accesses=0 rate=6"
	done
	echo "total vcpus=2 accesses=60 rate=99 wall_s=6"
} >"$T/ticks.out"
is "$($W -i 100ms,1s -g "$T/truth" -R "$T/ticks.out" "$T/ab.txt")" "$out" \
	"-R FILE: ticks whose vCPUs add up to 10/s give the truth at 10/s (not the total's 99/s)"
# 10/s over (0, 1], 30/s over (1, 3], 10/s over (3, 5]: at 100 ms
# (3 * 2 (1 - e^-0.5) + 2 * 2 (1 - e^-1.5)) / 5 = 1.0937.
printf 'tick t=1.000 vcpu=0 accesses=0 rate=10\ntick t=3.000 vcpu=0 accesses=0 rate=30\ntick t=5.000 vcpu=0 accesses=0 rate=10\ntotal vcpus=1 accesses=0 rate=10 wall_s=5\n' >"$T/ticks2.out"
l=$($W -i 100ms -g "$T/truth" -R "$T/ticks2.out" "$T/ab.txt" | grep '^window=0 ')
is "$(kv_in truth_wss "$l")" "$(awk 'BEGIN { printf "%.1f", (3 * 2 * (1 - exp(-0.5)) + 2 * 2 * (1 - exp(-1.5))) / 5 }')" \
	"-R FILE: a rate that varies gives the mean of the ticks' truths ($(kv_in truth_wss "$l"))"
printf 'tick t=1.000 vcpu=0 rate=x\ntotal vcpus=1 rate=10\n' >"$T/badtick.out"
out2=$($W -g "$T/truth" -R "$T/badtick.out" "$T/ab.txt" 2>&1); rc=$?
is "$rc" 2 "-R FILE with a malformed tick line: exit 2"
like "$out2" 'a bad tick line: tick t=1.000 vcpu=0 rate=x' "... naming the line"
printf 'tick t=2.000 vcpu=0 rate=1\ntick t=1.000 vcpu=0 rate=1\ntotal vcpus=1 rate=10\n' >"$T/backtick.out"
$W -g "$T/truth" -R "$T/backtick.out" "$T/ab.txt" >/dev/null 2>&1
is "$?" 2 "-R FILE whose ticks go back in time: exit 2"

# --- bad input ------------------------------------------------------------
out=$($W "$T/missing" 2>"$T/err"); rc=$?
is "$rc:$out" "2:" "a missing log: exit 2, nothing printed"
like "$(cat "$T/err")" 'missing: No such file' "... said so"
$W -o "$T/o.txt" "$T/missing" 2>/dev/null
ok "$([ ! -e "$T/o.txt" ]; echo $?)" "-o FILE is not created after a failed open"
printf 'EPTSLOG\0garbage' >"$T/badhdr.bin"
$W "$T/badhdr.bin" >/dev/null 2>"$T/err"; is "$?" 2 "a bad binary header: exit 2"
: >"$T/empty"
out=$($W "$T/empty" 2>"$T/err"); rc=$?
is "$rc:$out" "1:" "an empty log: exit 1, nothing printed"
like "$(cat "$T/err")" 'no records' "... 'no records'"
$W --vcpu 7 "$T/sim-f.txt" >/dev/null 2>"$T/err"; is "$?" 1 "every record filtered out: exit 1"
like "$(cat "$T/err")" 'no records \(after the record filters\)' "... said so"
echo 't=1 vcpu=4294967295 gfn=0x1 type=--- level=1 delay=0 abit=1' >"$T/d0.txt"
out=$($W "$T/d0.txt" 2>"$T/err"); rc=$?
is "$rc:$out" "1:" "an accessed-bit record without an interval: nothing usable, exit 1"
like "$(cat "$T/err")" 'no record with an interval or a delay' "... said so"
printf 'garbage\nt=1 vcpu=0 gfn=0x1 type=r-- level=1 delay=5\n' >"$T/g.txt"
like "$($W "$T/g.txt" 2>&1 >/dev/null)" '1 malformed line; first: line 1' "a malformed line is counted and skipped"
for a in "-i 0" "-i 1s,x" "-i ," "-w 0" "-c 100" "-c x" "-g $T/truth" "-R 10" "-g $T/truth -R x" \
	"-g $T/truth -R $T/empty" "-g $T/missing -R 10" "--nosuch" "$T/ab.txt $T/ab.txt" "-p 0 -L 1s"; do
	$W $a "$T/ab.txt" >/dev/null 2>"$T/err"
	is "$?" 2 "'wss $a': a usage error, exit 2 ($(head -n 1 "$T/err" | cut -c1-70))"
done
like "$($W -g "$T/truth" "$T/ab.txt" 2>&1)" 'needs --access-rate' "--truth without the rate names the fix"
$W --help >"$T/help"; is "$?" 0 "--help: exit 0"
like "$(cat "$T/help")" '^Exit status' "--help ends with the exit status scheme"
man=$EPTSCOPE_ROOT/analysis/eptscope-wss.1
is "$(man_missing "$T/help" "$man")" "" "every long option of --help is in eptscope-wss.1"
man -l "$man" >/dev/null 2>&1 || MANWIDTH=80 groff -man -Tutf8 "$man" >/dev/null 2>&1
ok $? "the man page renders"
done_testing
