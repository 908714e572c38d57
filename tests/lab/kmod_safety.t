#!/usr/bin/env bash
# kmod_safety.t - kvm_ept_sample.ko leaves a production VM's other users
# alone, in one lab boot, sampling by faults (-M faults, where arming zaps
# second-level entries) and with the default mode (accessed bits):
#   - dirty logging: a read-only guest's dirty log is the same sampled and
#     unsampled (the module never arms a dirty-logged slot); a write-heavy
#     guest's dirty log still holds every frame it wrote;
#   - a VMM that switches dirty logging on and off: no arming while logging
#     is on, sampling again once it is off;
#   - device memory: a read-only slot and a VM_PFNMAP slot are never armed
#     nor sampled;
#   - a VMM that remaps guest RAM (mmap MAP_FIXED over THP) while sampled
#     at 5000/s: both run to the end;
#   - delays: never above the expiry (fixed, or the adaptive bound of 1 s),
#     never negative;
#   - the kvm_ept_sample:* tracepoints: one event per arming, per catch and
#     per expiry, exactly as the statistics count them, with no SystemTap.
# lab/run fails the run on any BUG, WARNING, Oops or lockdep report.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required

scratch_dir
O=$tmp/out

run_lab() {
	lab_run_sh "$O" '
T=/sys/kernel/tracing
insmod kmod/kvm_ept_sample.ko || exit 1
S="analysis/eptsample -M faults"
A=analysis/eptsample

# Dirty logging, read-only guest: unsampled, then sampled. --warmup: the
# guest reads every frame once before its phases, so that its first
# touches, which KVM logs dirty for any guest, all fall in phase 0 (a slow
# host left some to phase 1: 21 data frames there in a CI run on 6.12).
G="workload/guest --mem 64M --vcpus 2 --interval 0 --seconds 12 --mix r=100 --warmup --pattern phases:every=3,n=4,hot=10%,p=0.9"
$G --dirty-log $O/ro-off.dirty >$O/ro-off.out 2>&1; echo $? >$O/ro-off.rc
$G --dirty-log $O/ro-on.dirty >$O/ro-on.out 2>&1 & g=$!
sleep 1; $S -p $g -f 2000 -d 10 -o $O/ro-on.log 2>$O/ro-on.err; echo $? >$O/ro-on.erc
wait $g; echo $? >$O/ro-on.rc

$G --dirty-log $O/ro-ab.dirty >$O/ro-ab.out 2>&1 & g=$!
sleep 1; $A -p $g -d 10 -o $O/ro-ab.log 2>$O/ro-ab.err; echo $? >$O/ro-ab.erc
wait $g; echo $? >$O/ro-ab.rc

# Dirty logging, write-heavy guest with its truth.
workload/guest --mem 16M --vcpus 2 --seconds 6 --interval 0 --warmup --seed 7 \
	--pattern hotcold:hot=10%,p=1 --mix r=30,w=70 --truth $O/wr.truth \
	--dirty-log $O/wr.dirty >$O/wr.out 2>&1 & g=$!
sleep 1; $S -p $g -f 2000 -d 4 -o $O/wr.log 2>$O/wr.err
wait $g; echo $? >$O/wr.rc

# Dirty logging switched on and off every second.
workload/guest --mem 64M --vcpus 2 --seconds 12 --interval 0 --dirty-toggle=1000 >$O/tg.out 2>&1 & g=$!
sleep 1; $S -p $g -f 2000 -d 10 -o $O/tg.log 2>$O/tg.err; echo $? >$O/tg.erc
wait $g; echo $? >$O/tg.rc

# drain_trace FILE: the events are off; wait until the reader of trace_pipe
# (pid $tp, writing FILE) has taken every event left in the buffer (every
# CPU'"'"'s entries 0) and written it (FILE stops growing), then stop it. A
# fixed wait lost events: 46000 of 400000 once, the reader behind under TCG.
drain_trace() {
	last=-1 i=0
	while [ $i -lt 240 ]; do
		left=$(cat $T/per_cpu/cpu*/stats | awk "/^entries:/ { n += \$2 } END { print n + 0 }")
		size=$(wc -c <"$1")
		[ "$left" = 0 ] && [ "$size" = "$last" ] && break
		last=$size i=$((i + 1))
		sleep 0.5
	done
	kill $tp
}

# Device slots, with the tracepoints on and a fixed 100 ms expiry.
echo 16384 >$T/buffer_size_kb
echo 1 >$T/events/kvm_ept_sample/enable
cat $T/trace_pipe >$O/dev.trace & tp=$!
workload/guest --mem 16M --vcpus 2 --seconds 10 --interval 0 --device-slots >$O/dev.out 2>&1 & g=$!
sleep 1; $S -p $g -f 2000 -e 100 -d 6 -o $O/dev.log 2>$O/dev.err; echo $? >$O/dev.erc
wait $g; echo $? >$O/dev.rc
sleep 1
echo 0 >$T/events/kvm_ept_sample/enable
drain_trace $O/dev.trace
cat $T/per_cpu/cpu*/stats >$O/trace.stats
# The same with the default mode, accessed bits.
echo 1 >$T/events/kvm_ept_sample/enable
cat $T/trace_pipe >$O/dab.trace & tp=$!
workload/guest --mem 16M --vcpus 2 --seconds 10 --interval 0 --device-slots >$O/dab.out 2>&1 & g=$!
sleep 1; $A -p $g -d 6 -o $O/dab.log 2>$O/dab.err; echo $? >$O/dab.erc
wait $g; echo $? >$O/dab.rc
sleep 1
echo 0 >$T/events/kvm_ept_sample/enable
drain_trace $O/dab.trace
cat $T/per_cpu/cpu*/stats >$O/trace-ab.stats

# A VMM that remaps guest RAM while sampled, every 20 ms (about 450
# remaps of 2 MiB in the run): a remap every 5 ms can hold mmap_lock
# through most rounds (docs/kmod.md, "mmap_busy"), which the module
# survives but which starves its walk of the samples counted below.
workload/guest --mem 64M --vcpus 2 --seconds 12 --interval 0 --backing thp --remap=20 >$O/rm.out 2>&1 & g=$!
sleep 1; $S -p $g -f 5000 -d 10 -o $O/rm.log 2>$O/rm.err; echo $? >$O/rm.erc
wait $g; echo $? >$O/rm.rc
# The same with accessed bits.
workload/guest --mem 64M --vcpus 2 --seconds 12 --interval 0 --backing thp --remap=20 >$O/rma.out 2>&1 & g=$!
sleep 1; $A -p $g -d 10 -o $O/rma.log 2>$O/rma.err; echo $? >$O/rma.erc
wait $g; echo $? >$O/rma.rc
rmmod kvm_ept_sample && echo unloaded >$O/rmmod
' --timeout 500 >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the scenarios run in the lab with a clean dmesg" run_lab

rc() { cat "$O/$1" 2>/dev/null || echo none; }
# stat NAME FILE: a statistic from eptsample's end line.
stat() { sed -n "s/^eptsample: armed=.* $1=\([0-9]*\).*/\1/p;s/^eptsample: $1=\([0-9]*\).*/\1/p" "$2" | head -n 1; }
samples() { grep -c '^t=.* delay=[0-9]*$' "$1"; }

# ---- dirty logging -----------------------------------------------------
is "$(rc ro-off.rc),$(rc ro-on.rc),$(rc ro-on.erc)" "0,0,0" "the read-only guests and the sampler succeed"
# Frames dirty per phase (the guest's own writes: its stack, shared page).
per_phase() { awk '!/^#/ { n[$2]++ } END { for (p = 1; p < 4; p++) printf "%d ", n[p] + 0 }' "$1"; }
off=$(per_phase "$O/ro-off.dirty") on=$(per_phase "$O/ro-on.dirty")
diag "dirty frames per phase 1..3: unsampled $off, sampled $on"
worst=$(paste <(tr ' ' '\n' <<<"$off") <(tr ' ' '\n' <<<"$on") |
	awk 'NF == 2 { d = $1 - $2; d = d < 0 ? -d : d; if (d > m) m = d } END { print m + 0 }')
le "$worst" 8 "sampling adds no dirty frames: phase harvests differ by at most 8 frames ($worst)"
# Phase 0 holds the guest's first touches, which KVM logs for any guest.
data=$(awk '!/^#/ && $1 < 16384 && $2 > 0' "$O/ro-on.dirty" | wc -l)
is "$data" 0 "after its first phase, the sampled read-only guest dirtied none of its data frames"
is "$(stat armed "$O/ro-on.err")" 0 "no frame of the dirty-logged slot was armed"
ge "$(stat paused_frames "$O/ro-on.err")" 16384 "the statistics say why: the slot's frames are paused (paused_frames)"

is "$(rc wr.rc)" 0 "the write-heavy guest succeeds under sampling"
# Every frame the truth says was written often enough is in the dirty log.
missed=$(gawk '
	FNR == 1 { file++ }
	file == 1 && /^[0-9]/ && $4 == 1 && $3 > 0 { hot[$1] = 1 }
	file == 2 && /^[0-9]/ { dirty[$1] = 1 }
	END { for (g in hot) if (!(g in dirty)) n++; print n + 0 }' "$O/wr.truth" "$O/wr.dirty")
is "$missed" 0 "the dirty log still holds every hot frame the guest wrote"

is "$(rc ro-ab.rc),$(rc ro-ab.erc)" "0,0" "accessed bits: the read-only guest and the sampler succeed"
ab=$(per_phase "$O/ro-ab.dirty")
diag "accessed bits: dirty frames per phase 1..3: $ab"
worst=$(paste <(tr ' ' '\n' <<<"$off") <(tr ' ' '\n' <<<"$ab") |
	awk 'NF == 2 { d = $1 - $2; d = d < 0 ? -d : d; if (d > m) m = d } END { print m + 0 }')
le "$worst" 8 "accessed bits: phase harvests differ from unsampled by at most 8 frames ($worst)"
is "$(stat age_observed "$O/ro-ab.err")" 0 "accessed bits: no frame of the dirty-logged slot was observed"

# ---- dirty logging switched on and off ---------------------------------
is "$(rc tg.rc),$(rc tg.erc)" "0,0" "the toggling guest and the sampler succeed"
windows=$(grep -c '^dirty_window ' "$O/tg.out")
ge "$windows" 3 "dirty logging went on and off ($windows windows)"
inside=$(gawk '
	FNR == 1 { file++ }
	file == 1 && /^dirty_window / { for (i = 2; i <= NF; i++) { split($i, kv, "="); w[n, kv[1]] = kv[2] } n++ }
	file == 2 && /^t=/ {
		t = substr($1, 3); d = $6; sub(/delay=/, "", d); arm = t - d
		for (i = 0; i < n; i++) if (arm > w[i, "on_done"] && arm < w[i, "off_start"]) bad++
		for (i = 0; i < n; i++) if (arm > w[i, "off_done"] && (i == n - 1 || arm < w[i + 1, "on_start"])) good++
	}
	END { print bad + 0, good + 0 }' "$O/tg.out" "$O/tg.log")
is "${inside% *}" 0 "no unit was armed while dirty logging was on"
ge "${inside#* }" 100 "sampling resumed after each window (${inside#* } records armed with logging off)"
ge "$(stat dirty_log "$O/tg.err")" 2 "the statistics count the snapshots that found a dirty-logged slot"

# ---- device memory -------------------------------------------------------
is "$(rc dev.rc),$(rc dev.erc)" "0,0" "the guest with device slots and the sampler succeed"
ranges=$(gawk '/^memslot / && / backing=(rom|device)$/ {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	printf "%s %s\n", f["gfn_start"], f["gfn_end"] }' "$O/dev.out")
is "$(wc -l <<<"$ranges")" 2 "the guest has a ROM slot and a device slot"
in_dev() { gawk -v r="$ranges" 'BEGIN { n = split(r, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], b, " "); lo[i] = b[1]; hi[i] = b[2] } }
	{ if (match($0, /gfn=0x[0-9a-f]+/)) { g = strtonum(substr($0, RSTART + 4, RLENGTH - 4))
	  for (i = 1; i <= n; i++) if (g >= lo[i] && g < hi[i]) c++ } } END { print c + 0 }' "$1"; }
is "$(in_dev "$O/dev.log")" 0 "no sample or expiry record names a frame of either slot"
is "$(grep 'kvm_ept_sample_arm:' "$O/dev.trace" | in_dev /dev/stdin)" 0 \
	"no arming of either slot (kvm_ept_sample_arm events)"
is "$(stat skipped_frames "$O/dev.err")" 48 "the statistics count both slots' frames as skipped (16 + 32)"

is "$(rc dab.rc),$(rc dab.erc)" "0,0" "accessed bits: the guest with device slots and the sampler succeed"
is "$(in_dev "$O/dab.log")" 0 "accessed bits: no record names a frame of either slot"
is "$(grep 'kvm_ept_sample_age:' "$O/dab.trace" | in_dev /dev/stdin)" 0 \
	"accessed bits: no observation of either slot (kvm_ept_sample_age events)"
is "$(stat skipped_frames "$O/dab.err")" 48 "accessed bits: both slots' frames are skipped"

# ---- tracepoints ---------------------------------------------------------
overrun=$(awk '/^overrun:|^dropped events:/ { n += $NF } END { print n + 0 }' "$O/trace.stats")
is "$overrun" 0 "the trace buffer lost no event"
is "$(awk '/^entries:/ { n += $NF } END { print n + 0 }' "$O/trace.stats" "$O/trace-ab.stats")" 0 \
	"the reader of trace_pipe took every event, both runs"
for ev in arm:armed hit:caught expire:expired undone:undone; do
	n=$(grep -c "kvm_ept_sample_${ev%:*}:" "$O/dev.trace")
	is "$n" "$(stat "${ev#*:}" "$O/dev.err")" "one kvm_ept_sample_${ev%:*} event per unit ${ev#*:} ($n)"
done
zaps=$(grep -c 'kvm_ept_sample_zap:' "$O/dev.trace")
is "$zaps" "$(stat zaps "$O/dev.err")" "one kvm_ept_sample_zap event per kvm_zap_gfn_range ($zaps)"
is "$(awk '/^overrun:|^dropped events:/ { n += $NF } END { print n + 0 }' "$O/trace-ab.stats")" 0 \
	"accessed bits: the trace buffer lost no event"
n=$(grep -c 'kvm_ept_sample_age:' "$O/dab.trace")
ge "$(stat age_observed "$O/dab.err")" 1000 "accessed bits: observations were made ($(stat age_observed "$O/dab.err"))"
is "$n" "$(stat age_observed "$O/dab.err")" "one kvm_ept_sample_age event per unit observed ($n)"
is "$(grep -c 'kvm_ept_sample_age:.* touched=1 ' "$O/dab.trace")" "$(stat age_touched "$O/dab.err")" \
	"... and the touched ones are those the statistics count"
like "$(grep -m1 'kvm_ept_sample_hit:' "$O/dev.trace")" 'pid=[0-9]+ gfn=0x[0-9a-f]+ vcpu=[0-9]+ type=[r-][w-][x-] level=[123] flags=0x[0-9a-f]+ time_ns=[0-9]+ delay_ns=[0-9]+ t_arm=[0-9]+' \
	"a hit event carries the sample's fields"

# ---- delays --------------------------------------------------------------
over=$(awk '/^t=/ { d = $6; sub(/delay=/, "", d); if (d + 0 > 100000000) n++ } END { print n + 0 }' "$O/dev.log")
is "$over" 0 "with a fixed 100 ms expiry, no record's delay exceeds it"
exp100=$(awk '/ expired=1$/ { d = $6; sub(/delay=/, "", d); n++; if (d + 0 == 100000000) k++ } END { printf "%d/%d", k, n }' "$O/dev.log")
is "${exp100%/*}" "${exp100#*/}" "every expiry record waited exactly the expiry ($exp100)"
over=$(cat "$O/ro-on.log" "$O/tg.log" "$O/rm.log" "$O/wr.log" "$O/dab.log" "$O/rma.log" |
	awk '/^t=/ { d = $6; sub(/delay=/, "", d); if (length(d) > 10 || d + 0 > 1000000000) n++ } END { print n + 0 }')
is "$over" 0 "with the adaptive expiry, no delay exceeds its 1 s bound or wraps"
ge "$(samples "$O/tg.log")" 1000 "the delay checks ran on real samples ($(samples "$O/tg.log") in one capture)"

# ---- remapping -----------------------------------------------------------
is "$(rc rm.rc),$(rc rm.erc)" "0,0" "a VMM remapping THP guest RAM and the sampler both run to the end"
remaps=$(sed -n 's/^remap remaps=\([0-9]*\) failed=0$/\1/p' "$O/rm.out")
ge "${remaps:-0}" 100 "the VMM remapped guest RAM under sampling (${remaps:-0} times 2 MiB)"
# What would starve the walk is mmap_lock, held by the remaps. The module
# never waits on it: a round that finds it taken stops there and the next
# round tries again (stats.mmap_busy). How many rounds find it taken is
# timing, not design: it grows with how long a round and a remap last
# under TCG (docs/kmod.md, "Huge pages"; 237 of 425 in the project's CI of
# 7bbbf14, a 20 ms remap), so it is printed, not bounded. What the test
# asserts is that the contended path ran and the walk was not starved:
# samples in every second. How many is set by max_zap_us: on THP each unit
# is a 2 MiB region, one zap each, and a zap's remote TLB flush takes 1 to
# 1.6 ms under TCG (6.12: 1.0 ms and 1032 samples in 10 s when every record
# woke the reader, 1.6 ms and 614 woken by rounds, the guest then running
# more).
busy=$(stat mmap_busy "$O/rm.err") rounds=$(stat rounds "$O/rm.err")
diag "rounds cut short by mmap_lock: ${busy:-none} of ${rounds:-none}"
ge "${busy:-0}" 1 "the remaps held mmap_lock under the walk: rounds found it taken and stopped (${busy:-0})"
lt "${busy:-0}" "${rounds:-0}" "... but not every round (${busy:-0} of ${rounds:-0})"
secs=$(sed -n 's/^t=\([0-9]*\)[0-9]\{9\} .* delay=[0-9]*$/\1/p' "$O/rm.log" | sort -u | wc -l)
ge "$secs" 9 "samples kept coming: in every whole second of the 10 s capture, 9 at least ($secs seconds with samples; $(samples "$O/rm.log") samples, $(stat zaps "$O/rm.err") zaps in $(stat zap_ns "$O/rm.err") ns)"
ge "$(samples "$O/rm.log")" 300 "... and at least 30 a second ($(samples "$O/rm.log"))"
ge "$(stat regions "$O/rm.err")" 1 "huge regions were armed as such ($(stat regions "$O/rm.err"))"
is "$(rc rma.rc),$(rc rma.erc)" "0,0" "accessed bits: a VMM remapping THP guest RAM and the sampler both run to the end"
# THP: each 2 MiB region is one unit, 32 of them, each observed about once a second.
ge "$(stat age_observed "$O/rma.err")" 100 "accessed bits: observations of the 32 regions kept coming ($(stat age_observed "$O/rma.err"); rounds cut short by mmap_lock: $(stat mmap_busy "$O/rma.err") of $(stat rounds "$O/rma.err"))"
is "$(rc rmmod)" unloaded "the module unloads afterwards"
done_testing
