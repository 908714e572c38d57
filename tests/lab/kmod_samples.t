#!/usr/bin/env bash
# kmod_samples.t - kvm_ept_sample's fault samples (-M faults) agree with workload/guest's
# ground truth: they come only from frames the guest touches, write samples
# only from frames it writes, vCPU ids are valid, each vCPU's timestamps
# never go backwards, and the arm_rate_cap and yield_check parameters
# bound the rate controller. The guest touches only its hot set (p=1), so an untouched
# frame in the log is a real error.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
scratch_dir

lab/run --vcpus 2 --out "$tmp" --timeout 300 -- sh -c '
	insmod kmod/kvm_ept_sample.ko || exit 1
	guest() { exec workload/guest --mem 32M --vcpus 2 --seconds 9 --interval 0 \
		--pattern hotcold:hot=10%,p=1 "$@"; }
	guest --mix r=70,w=30 --truth $LAB_OUT/truth-rw >$LAB_OUT/guest-rw.out 2>&1 & g=$!
	sleep 2
	analysis/eptsample -M faults -p $g -f 2000 -d 5 -o $LAB_OUT/rw.log 2>$LAB_OUT/rw.err || exit 1
	wait $g || exit 1
	guest --mix r=100 --truth $LAB_OUT/truth-r >$LAB_OUT/guest-r.out 2>&1 & g=$!
	sleep 2
	analysis/eptsample -M faults -p $g -t w -f 2000 -d 5 -o $LAB_OUT/w.log 2>$LAB_OUT/w.err || exit 1
	wait $g
	guest --mix r=100 >/dev/null 2>&1 & g=$!
	sleep 2
	analysis/eptsample -M faults -p $g -f 2000 -e 100 -r 8 -d 4 -o $LAB_OUT/c.log 2>$LAB_OUT/c.err || exit 1
	wait $g
	echo 2 >/sys/module/kvm_ept_sample/parameters/arm_rate_cap
	guest --mix r=100 >/dev/null 2>&1 & g=$!
	sleep 2
	analysis/eptsample -M faults -p $g -f 1000 -d 3 -o /dev/null 2>$LAB_OUT/cap.err || exit 1
	wait $g
	echo 16 >/sys/module/kvm_ept_sample/parameters/arm_rate_cap
	guest --mix r=100 >/dev/null 2>&1 & g=$!
	sleep 2
	kill -STOP $g
	analysis/eptsample -M faults -p $g -f 500 -d 4 -o /dev/null 2>$LAB_OUT/idleauto.err || exit 1
	analysis/eptsample -M faults -p $g -f 500 -e 1000 -d 5 -o /dev/null 2>$LAB_OUT/idle0.err || exit 1
	echo 1 >/sys/module/kvm_ept_sample/parameters/yield_check
	analysis/eptsample -M faults -p $g -f 500 -d 4 -o /dev/null 2>$LAB_OUT/idle1.err || exit 1
	analysis/eptsample -M faults -p $g -f 500 -e 1000 -d 4 -o /dev/null 2>$LAB_OUT/idle1f.err || exit 1
	kill -CONT $g
	wait $g
' >"$tmp/run.log" 2>&1
st=$?
ok $st "the lab run (five guests, eight captures) succeeds"
[ $st -eq 0 ] || sed 's/^/# /' "$tmp/run.log" | tail -n 20

# The samples of a log, without its expiry records (which eptsample logs by
# default: the units that expired unaccessed).
samples_of() { grep '^t=' "$1" | grep -v ' expired=1'; }
for f in rw w c; do samples_of "$tmp/$f.log" >"$tmp/$f.samples"; done
n=$(grep -c '^t=' "$tmp/rw.samples")
ge "${n:-0}" 200 "the read/write capture has samples (${n:-0})"

# Frames the guest touches: data frames with share > 0, and its system
# area (code, stack, page tables, ...), not the padding.
touched() { # TRUTH GUEST_OUT
	awk '!/^#/ && $3 > 0 { printf "%d\n", $1 }' "$1"
	sed -n 's/^region kind=\([a-z0-9]*\) gfn_start=\([0-9]*\) gfn_end=\([0-9]*\)$/\1 \2 \3/p' "$2" |
		awk '$1 != "data" && $1 != "pad" { for (g = $2; g < $3; g++) print g }'
}
touched "$tmp/truth-rw" "$tmp/guest-rw.out" | sort -u >"$tmp/touched-rw"
ge "$(wc -l <"$tmp/touched-rw")" 100 "the truth lists the touched frames"
gawk '/^t=/ { split($3, g, "="); printf "%d\n", strtonum(g[2]) }' "$tmp/rw.samples" | sort -u >"$tmp/sampled-rw"
outside=$(comm -23 "$tmp/sampled-rw" "$tmp/touched-rw" | wc -l)
is "$outside" 0 "no sample comes from a frame the guest never touches"
hot_sampled=$(comm -12 "$tmp/sampled-rw" "$tmp/touched-rw" | wc -l)
ge "$hot_sampled" 50 "samples cover many touched frames ($hot_sampled)"

vcpus=$(awk '/^t=/ { split($2, v, "="); print v[2] }' "$tmp/rw.samples" | sort -u | tr '\n' ' ')
is "$vcpus" "0 1 " "samples come from both vCPUs, and only valid ids"
back=$(awk '/^t=/ { split($1, t, "="); split($2, v, "=");
	if (t[2] + 0 < last[v[2]]) bad++; last[v[2]] = t[2] + 0 } END { print bad + 0 }' "$tmp/rw.samples")
is "$back" 0 "timestamps never go backwards within a vCPU"
data_rw=$(sed -n 's/^# data_frames=//p' "$tmp/truth-rw")
types=$(gawk -v d="$data_rw" '/^t=/ { split($3, g, "="); split($4, a, "=");
	if (strtonum(g[2]) < d) print a[2] }' "$tmp/rw.samples" | sort -u | tr '\n' ' ')
is "$types" "-w- r-- " "a 70/30 read/write mix gives read and write samples on data frames"
code=$(sed -n 's/^region kind=code gfn_start=\([0-9]*\) gfn_end=.*/\1/p' "$tmp/guest-rw.out")
xoff=$(gawk -v c="$code" '/^t=/ && $4 == "type=--x" { split($3, g, "="); if (strtonum(g[2]) != c) n++ } END { print n + 0 }' "$tmp/rw.samples")
is "$xoff" 0 "execute samples come only from the guest's code frame"

# Read-only guest, sampling writes only: writes happen only in the
# system area (its stack and the page it reports through).
data_frames=$(sed -n 's/^# data_frames=//p' "$tmp/truth-r")
nw=$(grep -c '^t=' "$tmp/w.samples")
wdata=$(gawk -v d="$data_frames" '/^t=/ { split($3, g, "="); if (strtonum(g[2]) < d) n++ } END { print n + 0 }' "$tmp/w.samples")
is "$wdata" 0 "a read-only guest gives no write sample on its data frames ($nw write samples elsewhere)"
nonw=$(awk '/^t=/ && $4 != "type=-w-"' "$tmp/w.samples" | wc -l)
is "$nonw" 0 "-t w records only write accesses"
like "$(cat "$tmp/w.err")" 'filtered=[1-9]' "accesses of other types were counted as filtered"
# -e 100 -r 8: expiry records (logged by default) for the frames armed
# 100 ms without access (the cold 90% of the data frames are never
# touched, p=1).
nexp=$(grep -c ' expired=1$' "$tmp/c.log")
ge "${nexp:-0}" 1 "expiry records are logged by default ($nexp)"
badexp=$(awk '/ expired=1$/ && !($2 == "vcpu=4294967295" && $4 == "type=---") { n++ }
	/ expired=1$/ { split($6, d, "="); if (d[2] + 0 != 100000000) n++ } END { print n + 0 }' "$tmp/c.log")
is "$badexp" 0 "expiry records: no vCPU, no access type, a wait of exactly the 100 ms expiry"
is "$(sed -n 's/.* censored=\([0-9]*\) .*/\1/p' "$tmp/c.err")" "$nexp" "stats: censored counts the expiry records in the log"
like "$(cat "$tmp/c.err")" ' expire_ns=100000000 expire_auto=0 ' "stats: the session's expiry is the fixed 100 ms asked for"
ge "$(grep -c '^t=' "$tmp/c.samples")" 1 "samples still come with expiry records"
sum=$(sed -n 's/.* caught=\([0-9]*\) recorded=\([0-9]*\) dropped=\([0-9]*\) filtered=\([0-9]*\) .* expired=\([0-9]*\) .* censored=\([0-9]*\) .*/\1 \2 \3 \4 \5 \6/p' "$tmp/c.err" |
	awk '{ print ($1 + $5 == $2 + $3 + $4 + $6) ? "balanced" : "caught+expired=" $1 + $5 " but recorded+dropped+filtered+censored=" $2 + $3 + $4 + $6 }')
is "$sum" balanced "stats with -c: caught + expired = recorded + dropped + filtered + censored"
# -r 8: each revisit follows a sweep sample of the same 4 KiB frame caught
# within 100 ms / 8, and is armed after it; one revisit per such sample.
nrev=$(grep -c ' revisit=1' "$tmp/c.log")
ge "${nrev:-0}" 1 "-r 8: frames caught soon are revisited ($nrev records)"
badrev=$(gawk '/^t=/ { split($1, t, "="); split($3, g, "="); split($6, d, "=")
	if ($0 !~ / revisit=1/) { if ($0 !~ / expired=1$/ && d[2] < 12500000) sweep[g[2]] = t[2]; next }
	if ($5 != "level=1" || !(g[2] in sweep) || sweep[g[2]] > t[2] - d[2]) { bad++; if (bad == 1) print "first bad: " $0 > "/dev/stderr" }
	delete sweep[g[2]] } END { print bad + 0 }' "$tmp/c.log")
is "$badrev" 0 "every revisit follows a quick sweep catch of its frame"
for f in rw w; do
	sum=$(sed -n 's/.* caught=\([0-9]*\) recorded=\([0-9]*\) dropped=\([0-9]*\) filtered=\([0-9]*\) .*/\1 \2 \3 \4/p' "$tmp/$f.err" |
		awk '{ print ($1 == $2 + $3 + $4) ? "balanced" : "caught=" $1 " but recorded+dropped+filtered=" $2 + $3 + $4 }')
	is "$sum" balanced "stats: caught = recorded + dropped + filtered ($f capture)"
done
# arm_rate_cap=2: the guest touches a tenth of its frames, so fewer than
# half of the armed units are caught and the controller, which starts at
# the budget (1000), wants more than twice it: it must stop at the cap.
arm_rate() { sed -n 's/.* arm_rate=\([0-9]*\) .*/\1/p' "$1"; }
rate=$(arm_rate "$tmp/cap.err")
is "$rate" 2000 "arm_rate_cap=2 holds the arming rate at twice the 1000 samples/s budget"
# A stopped guest touches nothing: no arming rate brings a sample. With the
# adaptive expiry the rate stays at its cap (16 x 500) and the expiry runs
# up to its 1 s bound. With a fixed expiry and without yield_check the
# controller doubles its rate every window (500, 1000, ..., 8000). With
# yield_check the rate starts at the budget, the first raise that brought
# no more samples is taken back, and the rate stays at 1x to 2x the
# budget, with the adaptive expiry (the default) and with a fixed one.
is "$(arm_rate "$tmp/idleauto.err")" 8000 "a stopped guest, adaptive expiry: the arming rate stays at its cap"
like "$(cat "$tmp/idleauto.err")" ' expire_ns=1000000000 expire_auto=1 ' "... and the expiry runs up to its 1 s bound"
idle0=$(arm_rate "$tmp/idle0.err")
ge "${idle0:-0}" 4000 "a stopped guest, fixed expiry, yield_check off: the arming rate runs up (arm_rate=${idle0:-none})"
for run in "idle1 adaptive" "idle1f fixed"; do
	set -- $run
	r=$(arm_rate "$tmp/$1.err")
	ge "${r:-0}" 500 "a stopped guest, $2 expiry, yield_check on: the arming rate stays at least at the budget (arm_rate=${r:-none})"
	le "${r:-0}" 1000 "... and within twice it"
done
done_testing
