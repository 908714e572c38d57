#!/usr/bin/env bash
# bench_models.t - the sampler models (bench/sampler-model, bench/abit-model)
# and the simulator of the default mode (bench/abit-sim) that docs/kmod.md
# cites: they build, give the figures the docs state for the lab's
# reference guest, respond to more observations as a model must, show
# what the candidate controller (abit-sim -J) gains and where, and refuse
# bad input.
source "$(dirname "$0")/../lib/tap.sh"
G=$EPTSCOPE_ROOT/workload/guest
B=$EPTSCOPE_ROOT/bench
[ -x "$G" ] || skip_all "workload/guest is not built (make -C workload)"
make -s -C "$B" sampler-model abit-model >/dev/null 2>&1 || { echo "Bail out! cannot build the models"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# x.yyy -> integer thousandths, for ge/le
milli() { awk -v v="$1" 'BEGIN { if (v == "") print "x"; else printf "%d", v * 1000 + 0.5 }'; }

"$G" --mem 256M --vcpus 2 --pattern hotcold:hot=10%,p=0.9 --dry-run --truth "$t/ref" >/dev/null
"$G" --mem 256M --vcpus 2 --pattern zipf:s=1.1 --dry-run --truth "$t/zipf" >/dev/null

# Fault sampling: docs/kmod.md gives 0.84 at cap 8 for 10000 samples.
p=$("$B/sampler-model" 65536 0.1 0.9 1e6 10000 | grep '^cap=8 ' | kv_in precision)
ge "$(milli "$p")" 800 "faults, reference, 10000 samples, cap 8: precision $p >= 0.80"
le "$(milli "$p")" 880 "... and <= 0.88: a budget of samples bounds it"
p=$("$B/sampler-model" 65536 0.1 0.9 1e6 30000 | grep '^cap=8 ' | kv_in precision)
ge "$(milli "$p")" 920 "three times the samples: precision $p >= 0.92"

# Accessed bits, the reference at the lab's rate, ten observations a frame.
out=$("$B/abit-model" "$t/ref" 4.75e6 10)
band=$(echo "$out" | sed -n 's/^band touched=0.15-0.45 precision=[0-9.]*-\([0-9.]*\)$/\1/p')
low=$(echo "$out" | sed -n 's/^band touched=0.15-0.45 precision=\([0-9.]*\)-.*/\1/p')
ge "$(milli "$low")" 990 "accessed bits, reference: the module's band ranks at $low-$band, >= 0.99"
first=$(echo "$out" | grep -m 1 '^interval_ms=' | kv_in precision)
le "$(milli "$first")" 900 "... a 100 us interval, too short to tell, only $first"
# Zipf: the edge of its hot set is a slope; more observations place it.
z10=$("$B/abit-model" "$t/zipf" 9.5e6 10 | grep '^best ' | kv_in precision)
z40=$("$B/abit-model" "$t/zipf" 9.5e6 40 | grep '^best ' | kv_in precision)
le "$(milli "$z10")" 900 "zipf, ten observations: at best $z10 (docs: 0.86)"
ge "$(milli "$z40")" "$(( $(milli "$z10") + 30 ))" "forty observations: $z40, at least 0.03 more"

# The simulator of the default mode (the module's own controller,
# kmod/age_ctl.h), scored by analysis/hotness as the lab's captures are.
H=$EPTSCOPE_ROOT/analysis/hotness
make -s -C "$B" abit-sim >/dev/null 2>&1 || { echo "Bail out! cannot build abit-sim"; exit 1; }
sim_p() { "$H" -q -u "$2" -g "$t/$1" "$t/sim.log" | sed -n 's/^precision=\([0-9.]*\) .*/\1/p'; }
"$B/abit-sim" -o "$t/sim.log" "$t/ref" 4.7e6 2>"$t/sim.err"
is "$?" 0 "abit-sim: the reference at the lab's rate, 10 s"
p1=$(sim_p ref 1s) p10=$(sim_p ref 10s)
ge "$(milli "$p10")" 980 "... finds the hot set by 10 s: precision $p10 >= 0.98 (the lab: 1.00)"
le "$(milli "$p1")" "$(( $(milli "$p10") - 200 ))" "... and not in the first second: $p1, 0.2 or more below"
like "$(cat "$t/sim.err")" '^abit-sim: observed=[0-9]+ touched=[0-9]+ rounds=[0-9]+ flushes=[0-9]+ interval_ms=[0-9.]+ saturated=0$' "... and says what it observed, not saturated"
obs=$(kv_in observed <"$t/sim.err")
ge "$obs" 655360 "... every frame about once a second, and more: $obs observations (65536 frames, 10 s)"
"$B/abit-sim" -o "$t/sim.log" "$t/zipf" 9.5e6 2>/dev/null
z=$(sim_p zipf 10s)
le "$(milli "$z")" 900 "abit-sim, zipf, ten observations a frame: $z <= 0.90, as abit-model's best (the lab: 0.86)"
ge "$(milli "$z")" 750 "... and >= 0.75"
# The controller: a faster guest gets a shorter interval; one too fast to
# tell saturates (the module then samples by faults); a fixed one stays.
iv() { "$B/abit-sim" "$@" -o /dev/null 2>&1 | kv_in interval_ms; }
fast=$(iv "$t/ref" 1e9) slow=$(iv "$t/ref" 1e5)
is "$(awk -v f="$fast" -v s="$slow" 'BEGIN { print (f < 1 && s > 10) ? "yes" : "no: " f " " s }')" yes \
	"the interval adapts to the guest: ${fast} ms at 1e9 accesses/s, ${slow} ms at 1e5"
is "$("$B/abit-sim" -o /dev/null "$t/ref" 1e11 2>&1 | kv_in saturated)" 1 "at 1e11 accesses/s the bits saturate"
is "$(iv -i 20 "$t/ref" 1e9)" 20.000 "-i 20: the interval stays at 20 ms"
# -J, a candidate controller (docs/kmod.md, "A model of the default
# mode"): at the lab's rate it never jumps, so the log is the module's; on
# a guest 200 times faster it finds the band sooner (the hot set by 2 s),
# and once there its observations rank the hot set: its last 5 s alone.
"$B/abit-sim" -o "$t/halve.log" "$t/ref" 4.7e6 2>/dev/null
"$B/abit-sim" -J -o "$t/jump.log" "$t/ref" 4.7e6 2>/dev/null
cmp -s "$t/halve.log" "$t/jump.log"
is "$?" 0 "-J at the lab's rate (4.7e6/s): the same log as the module's controller"
"$B/abit-sim" -o "$t/halve.log" "$t/ref" 1e9 2>/dev/null
"$B/abit-sim" -J -o "$t/sim.log" "$t/ref" 1e9 2>/dev/null
j2=$(sim_p ref 2s)
h2=$("$H" -q -u 2s -g "$t/ref" "$t/halve.log" | sed -n 's/^precision=\([0-9.]*\) .*/\1/p')
ge "$(milli "$j2")" "$(( $(milli "$h2") + 300 ))" "-J at 1e9/s: precision at 2 s $j2, 0.3 or more above halving's $h2"
last=$("$H" -q -w 5s -g "$t/ref" "$t/sim.log" | sed -n 's/^precision=\([0-9.]*\) .*/\1/p' | sed -n 2p)
ge "$(milli "$last")" 980 "... and its second 5 s window alone ranks the hot set: $last >= 0.98"
for a in "$t/missing 1e6" "$t/ref 0" "-- $t/ref -5" "-q $t/ref 1e6" "$t/ref" "-c 0 $t/ref 1e6" "-c 513 $t/ref 1e6" "-z 7 $t/ref 1e6" "-d 0 $t/ref 1e6" "-i 2000 $t/ref 1e6"; do
	# shellcheck disable=SC2086
	"$B/abit-sim" -o /dev/null $a >/dev/null 2>"$t/err"
	is "$?" 2 "abit-sim $a: exits 2"
	like "$(cat "$t/err")" '^abit-sim: ' "... with a message"
done
"$B/abit-sim" -o /nonexistent/dir/x.log "$t/ref" 1e6 >/dev/null 2>"$t/err"
st=$?
ok "$((st == 0))" "abit-sim: an output it cannot open fails (exit $st)"

# Bad input.
"$B/abit-model" "$t/missing" 1e6 10 >/dev/null 2>"$t/err"
is "$?" 2 "abit-model: a missing truth file exits 2"
like "$(cat "$t/err")" 'missing: No such file or directory' "... and says so"
echo "# nothing" >"$t/empty"
"$B/abit-model" "$t/empty" 1e6 10 >/dev/null 2>&1
is "$?" 2 "abit-model: a file with no frames exits 2"
"$B/abit-model" "$t/ref" 0 10 >/dev/null 2>&1
is "$?" 2 "abit-model: a zero access rate exits 2"
"$B/sampler-model" 10 2 0.9 1e6 100 >/dev/null 2>&1
is "$?" 2 "sampler-model: a hot fraction above 1 exits 2"
done_testing
