#!/usr/bin/env bash
# analysis_wss_heatmap.t - analysis/wss and analysis/heatmap on a lab
# capture, against workload/guest's truth: a 256 MiB guest (1 vCPU, reads)
# whose contiguous 1% hot set (99% of the accesses) moves every 5 s
# (phases:every=5,n=2), and 10 s of eptsample with its defaults (the
# module's default mode, KVM's accessed bits). wss: over the capture, the
# working set at 100 ms, 1 s and a short threshold (10 ms or half the
# accessed-bit interval, whichever is longer) within 15% of the truth's
# expected size (25% below the interval) for the guest's measured rate
# (its tick lines: each window's truth is the mean of its seconds'), and per window (whole
# windows of the capture, 3 records a frame at least) at 100 ms within
# 25% (the window of a phase change holds both hot sets).
# heatmap: in every column the highest-rate rows are the truth's hot rows
# of that column's phase (mean precision >= 0.8), in both phases, so the
# phase change shows; the CSV's hottest row moves with it; the PNG renders.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
lab_required
scratch_dir
O=$tmp/out

# One lab run. t0: the guest's run start on CLOCK_MONOTONIC (which
# /proc/uptime reads in the lab VM, which never suspends): its first
# tick line comes at t0 + 1 s, watched every 20 ms.
capture() {
	rm -rf "$O"
	lab/run --vcpus 2 --out "$O" --timeout 400 -- sh -c '
	O=$LAB_OUT
	insmod kmod/kvm_ept_sample.ko || exit 1
	workload/guest --mem 256M --vcpus 1 --pattern phases:every=5,n=2,hot=1%,p=0.99,contiguous \
		--mix r=100 --seconds 16 --warmup --interval 1 --truth $O/truth >$O/guest.out 2>&1 & g=$!
	while ! grep -q "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.02; done
	cut -d" " -f1 /proc/uptime >$O/tick_uptime
	analysis/eptsample -p $g -d 10 -b -o $O/s.bin 2>$O/s.err || exit 1
	wait $g' >"$tmp/run.log" 2>&1
}
# The known emulated-NPT failures (a triple fault, the guest gone before
# eptsample attaches, the lab VM lost: lab/lib.sh): up to three tries.
emulation_failure() {
	grep -q 'triple fault' "$O/guest.out" 2>/dev/null ||
		grep -q 'no such process' "$O/s.err" 2>/dev/null ||
		lab_vm_lost "$tmp/run.log"
}
capture
st=$?
for try in 2 3; do
	[ $st -ne 0 ] && emulation_failure || break
	diag "the known emulated-NPT failure struck; try $try"
	capture
	st=$?
done
ok $st "the guest runs and eptsample captures 10 s with its defaults"
[ $st -eq 0 ] || { tail -n 20 "$tmp/run.log"; tail -n 5 "$O/guest.out"; } 2>/dev/null | sed 's/^/# /'
diag "$(grep '^total' "$O/guest.out" 2>/dev/null)"
diag "$(tail -n 2 "$O/s.err" 2>/dev/null | head -n 1)"

t0=$(awk '{ printf "%.0f", ($1 - 1) * 1e9 }' "$O/tick_uptime" 2>/dev/null)
within() { awk -v x="$1" -v y="$2" -v tol="$3" 'BEGIN { exit !(y > 0 && (x - y) / y <= tol && (y - x) / y <= tol) }'; }

# The guest's rate while it was sampled: its tick lines of the capture.
rate=$(awk -v from=2 -v to=11 '$1 == "tick" { split($2, t, "="); split($5, r, "=")
	if (t[2] >= from && t[2] <= to) { s += r[2]; n++ } } END { if (n) printf "%.0f", s / n }' "$O/guest.out" 2>/dev/null)
diag "the guest's rate during the capture: ${rate:-unknown} accesses/s"

# --- wss: one window over the capture, against the truth --------------
# What accessed bits resolve depends on the host's speed: the interval
# adapts to the guest (about 35 ms where 45 M accesses/s ran, 157 to 250
# ms on a host where 7 to 10 M did, docs/analysis.md). A threshold well
# below the interval rests on the fitted rates alone, so the short one
# checked is 10 ms or half the interval, whichever is longer. A threshold
# below the interval is checked within 25%, one at or above it within
# 15%: on the slow host, below the interval the estimate ran low by up to
# 15.9% (half the interval, 6 runs) and 13.0% (100 ms against a 110 to
# 251 ms interval): the guest's rate, bursty under sampling, is not the
# truth's steady one (docs/analysis.md).
w=$(analysis/wss -w 10s --from 1s --to 11s -i 100ms,1s --t0 "${t0:-0}" -g "$O/truth" -R "$O/guest.out" "$O/s.bin" 2>&1)
iv=$(grep -m1 '^window=' <<<"$w" | sed -n 's/.* interval_ms=\([0-9.]*\).*/\1/p')
short=$(awk -v i="${iv:-0}" 'BEGIN { s = int(i / 2 + 0.5); print (s > 10 ? s : 10) "ms" }')
w=$(analysis/wss -w 10s --from 1s --to 11s -i "$short,100ms,1s" --t0 "${t0:-0}" -g "$O/truth" -R "$O/guest.out" "$O/s.bin" 2>&1)
diag "$(grep '^window=' <<<"$w" | sed 's/start_ns=[0-9]* end_ns=[0-9]* //')"
for idle in $short 100ms 1s; do
	tol=$(awk -v d="$idle" -v i="${iv:-0}" 'BEGIN { ms = d ~ /ms$/ ? d + 0 : (d + 0) * 1000; print (ms < i ? 0.25 : 0.15) }')
	l=$(grep "^window=.* idle=$idle " <<<"$w" | head -n 1)
	within "$(kv_in data_wss "$l")" "$(kv_in truth_wss "$l")" $tol
	ok $? "wss at idle $idle${iv:+ (interval $iv ms)}: $(kv_in data_wss "$l") frames, truth $(kv_in truth_wss "$l") (error $(kv_in error "$l"), tolerance $(awk -v t=$tol 'BEGIN{print t*100}')%)"
done
# Per window: every window's estimate within 25% of the truth at 100 ms
# (the window of a phase change holds both hot sets). Windows lie wholly
# in the capture and each holds 3 records a frame at least, as wss asks
# (it warns below that: 2 s windows did, at 0.79 records a frame a second
# when the module's time limit throttled the scan, and erred up to 61%).
start=$(analysis/eptsample -H "$O/s.bin" 2>/dev/null | sed -n 's/.* start_ns=\([0-9]*\).*/\1/p')
obs=$(sed -n 's/^eptsample: \([0-9]*\) accessed-bit observations .* in \([0-9.]*\) s;.*/\1 \2/p' "$O/s.err" | head -n 1)
frames=$(sed -n 's/.* frames=\([0-9]*\) .*/\1/p' "$O/s.err" | head -n 1)
read -r from win nwin < <(awk -v s="${start:-0}" -v t0="${t0:-0}" -v o="${obs:-0 1}" -v f="${frames:-1}" 'BEGIN {
	split(o, a, " "); r = a[1] / f / a[2]; w = r > 0 ? 3 / r : 10; w = w == int(w) ? w : int(w) + 1
	if (w < 2) w = 2; from = (s - t0) / 1e9; from = from == int(from) ? from : int(from) + 1
	n = int(9 / w); if (n < 1) n = 1; print from, w, n }')
w2=$(analysis/wss -w "${win}s" --from "${from}s" --to "$((from + win * nwin))s" -i 100ms --t0 "${t0:-0}" -g "$O/truth" -R "$O/guest.out" "$O/s.bin" 2>&1)
n=$(grep -c '^window=' <<<"$w2")
diag "$(grep '^window=' <<<"$w2" | sed 's/start_ns=[0-9]* end_ns=[0-9]* //')"
is "$n" "$nwin" "wss -w ${win}s: $n whole windows in the capture ($(awk -v o="${obs:-0 1}" -v f="${frames:-1}" 'BEGIN { split(o, a, " "); printf "%.2f", a[1] / f / a[2] }') records a frame a second)"
like "$(grep '^idle=100ms' <<<"$w2")" 'max_abs_error=([0-9]|1[0-9]|2[0-4])\.' "wss -w ${win}s: every window within 25% at 100 ms ($(grep -o 'max_abs_error=[^ ]*' <<<"$w2"))"
like "$w2" '^  percentile=50 idle=100ms wss_frames=[0-9]' "the percentile summary"

# --- heatmap: hot rows = the truth's hot frames, per column -----------
h=$(analysis/heatmap -G 0-16383 -r 24 -w 1s --t0 "${t0:-0}" -g "$O/truth" "$O/s.bin" 2>&1)
diag "$(sed -n '1,28p' <<<"$h")"
mp=$(sed -n 's/^columns=[0-9]* mean_precision=//p' <<<"$h")
diag "$(grep '^column=' <<<"$h" | grep -v 'precision=1\.0000')"
# One column of the 11 may miss (in one of the first three runs, one did:
# 0.91; the columns that miss are printed above).
awk -v p="${mp:-0}" 'BEGIN { exit !(p >= 0.8) }'
ok $? "heatmap: the highest-rate rows of each column are the truth's hot rows (mean precision ${mp:-none} >= 0.8)"
p0=$(grep -c '^column=.* phase=0 .*precision=1\.0000' <<<"$h")
p1=$(grep -c '^column=.* phase=1 .*precision=1\.0000' <<<"$h")
ge "$p0" 2 "heatmap: $p0 columns of phase 0 show its hot rows exactly"
ge "$p1" 2 "heatmap: $p1 columns of phase 1 show its (other) hot rows exactly: the phase change is in the columns"
# the hottest row moves: phase 0's hot frames (0-654) are row 0 of
# 683 frames, phase 1's (655-1309) row 1
csv=$(analysis/heatmap -G 0-16383 -r 24 -w 1s --t0 "${t0:-0}" --csv "$O/s.bin" 2>/dev/null)
moved=$(awk -F, 'NR > 1 && $5 != "nan" { if ($5 > best[$1]) { best[$1] = $5; row[$1] = $3 } }
	END { for (t in row) print t, row[t] }' <<<"$csv" | sort -n |
	awk -v L=5 '{ ph = int($1 / L) % 2; if (ph == 0 && $2 < 683) a++; if (ph == 1 && $2 >= 683 && $2 < 1366) b++ } END { print a + 0, b + 0 }')
like "$moved" '^[2-9] [2-9]$' "heatmap --csv: the hottest row lies in phase 0's hot frames, then in phase 1's ($moved columns)"
analysis/heatmap -G 0-16383 -w 1s --t0 "${t0:-0}" --plot "$tmp/heat.png" "$O/s.bin" >/dev/null 2>&1
like "$(file "$tmp/heat.png" 2>&1)" 'PNG image data, 1000 x 600' "heatmap --plot renders the capture"
done_testing
