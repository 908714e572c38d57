#!/usr/bin/env bash
# analysis_hotness.t - hotness ranking by the delay estimator (rate =
# samples / sum of delays) and by sample count, huge-region samples, hot
# set by size and threshold, precision/recall/Spearman/coverage against
# a ground truth, per window; the expected rates and scores are worked
# out by hand in the comments, and a simulated module run (awk, Exp(rate)
# delays over sweeps of all frames) must give precision = recall = 1.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
HN=$BIN/hotness

# --- count estimator: scoring machinery, windows, thresholds ---------
# (every delay is 100 ns, so only -e count ranks these frames apart)

# window 0 (t0 .. t0+1s): 0x10 x5, 0x11 x3, 0x12 x2, 0x13 x1
# window 1 (t0+1s .. t0+2s): 0x20 x4, 0x21 x1
{
	echo "# hand-made sample log"
	t=1000000000
	for g in 10 10 10 10 10 11 11 11 12 12 13; do
		echo "t=$t vcpu=0 gfn=0x$g type=r-- level=1 delay=100"
		t=$((t + 50000000))
	done
	t=2000000000
	for g in 20 20 20 20 21; do
		echo "t=$t vcpu=1 gfn=0x$g type=-w- level=1 delay=100"
		t=$((t + 100000000))
	done
} > "$T/s.txt"
"$GENLOG" --from-text -o "$T/s.bin" < "$T/s.txt"
cat > "$T/truth.txt" <<'IN'
# ground truth: phase 0 then phase 1
phase=0 gfn=0x10 share=0.4 hot=1
phase=0 gfn=0x11 share=0.3 hot=1
phase=0 gfn=0x12 share=0.1 hot=0
phase=0 gfn=0x14 share=0.2 hot=1
phase=1 gfn=0x20 share=0.9 hot=1
phase=1 gfn=0x21 share=0.1 hot=0
IN

out=$($HN -e count -k 3 "$T/s.txt")
like "$out" '^window=0 .* samples=16 frames=6 hot_set=3 estimator=count expired=0$' "one window over the whole log"
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3}')" "1 0x10 5
2 0x20 4
3 0x11 3" "ranked by sample count"
is "$($HN -e count -k 3 "$T/s.bin")" "$out" "binary log gives the same ranking"

out=$($HN -e count -w 1s -L 1s -g "$T/truth.txt" "$T/s.txt")
# window 0: hot set = 3 (hot frames of phase 0) = {10,11,12}: 2 hits
# -> precision 2/3, recall 2/3. Spearman over the truth's frames
# {10,11,12,14} (13 has no row): counts 5,3,2,0 vs shares .4,.3,.1,.2:
# sum d^2 = 2, rho = 1-12/60 = 0.8.
# 3 of the truth-hot frames of phase 0 (10, 11, 14) 2 were sampled:
# coverage 2/3; the top 2 {10,11} are both hot: sampled_precision 1.
like "$out" '^precision=0\.6667 recall=0\.6667 spearman=0\.8000 truth_phase=0 truth_hot=3 sampled_hot=2 coverage=0\.6667 sampled_precision=1\.0000 unscored=0$' \
	"window 0 scored by hand"
# window 1: hot set = {20}: precision 1, recall 1, rho 1
like "$out" '^precision=1\.0000 recall=1\.0000 spearman=1\.0000 truth_phase=1 truth_hot=1 sampled_hot=1 coverage=1\.0000 sampled_precision=1\.0000 unscored=0$' \
	"window 1 scored by hand"
like "$out" '^windows=2 mean_precision=0\.8333 mean_recall=0\.8333 mean_spearman=0\.9000 mean_coverage=0\.8333$' \
	"means over windows"
# A frame the truth has no row for (the guest's own tables, say) ranked
# first: it stays in the ranking, and the score passes over it. 0x30 x6,
# then as window 0: the hot set scored is {10,11,12} (2 hits), unscored=1;
# with -T 2.5 (samples/s) the set is {30,10,11}: 2 scored, both hot.
{
	t=1000000000
	for g in 30 30 30 30 30 30 10 10 10 10 10 11 11 11 12 12; do
		echo "t=$t vcpu=0 gfn=0x$g type=r-- level=1 delay=100"
		t=$((t + 50000000))
	done
} > "$T/sys.txt"
sysout=$($HN -e count -w 1s -p 0 -g "$T/truth.txt" "$T/sys.txt")
is "$(echo "$sysout" | awk '$1 == 1 { print $2 }')" 0x30 "a frame with no truth row keeps its rank"
like "$sysout" '^precision=0\.6667 recall=0\.6667 .* unscored=1$' "the score passes over it"
like "$($HN -e count -w 1s -p 0 -T 2.5 -g "$T/truth.txt" "$T/sys.txt")" '^precision=1\.0000 recall=0\.6667 .* unscored=1$' \
	"a threshold's hot set is scored over the frames the truth describes"
# the same truth as workload/guest --truth writes it: columns, decimal
# frames, the phase length in a comment (so no -L needed)
cat > "$T/truth.cols" <<'IN'
# eptscope-truth v1
# phase_seconds=1
# columns=gfn phase share hot
16 0 0.4 1
17 0 0.3 1
18 0 0.1 0
20 0 0.2 1
32 1 0.9 1
33 1 0.1 0
IN
is "$($HN -e count -w 1s -g "$T/truth.cols" -q "$T/s.txt" | grep -v '^window=')" \
	"$(echo "$out" | grep -E '^(precision|windows)=')" \
	"workload/guest's column truth format: same scores"
like "$($HN -e count -w 1s -k 1 -p 0 -g "$T/truth.txt" "$T/s.txt" | head -n 5)" \
	'^precision=1\.0000 recall=0\.3333 ' "-k 1: precision 1/1, recall 1/3"
like "$($HN -e count -w 1s -T 2.5 -q "$T/s.txt")" '^window=0 .*samples=11 frames=4 hot_set=2 estimator=count expired=0$' \
	"-T 2.5 samples/s keeps the two frames sampled 5 and 3 times in 1 s"
$HN -g "$T/truth.txt" "$T/s.txt" >/dev/null 2>&1
is "$?" 2 "several phases without --phase or --phase-length: usage error"

# malformed lines, and a truth file with bad lines
printf 't=1 vcpu=0 gfn=0x1 type=r--\nnonsense\nt=2 vcpu=0 gfn=zz type=r--\n' > "$T/bad.txt"
err=$($HN "$T/bad.txt" 2>&1 >/dev/null); rc=$?
is "$rc" 0 "malformed sample lines are skipped"
like "$err" '2 malformed lines; first: line 2 \(token without .=.\), line 3 \(bad gfn=\)' \
	"and reported by line number"
printf 'phase=0 gfn=0x1 share=2 hot=1\nphase=0 gfn=0x1 share=0.5 hot=1\n' > "$T/bt.txt"
like "$($HN -g "$T/bt.txt" "$T/bad.txt" 2>&1)" 'bt.txt: 1 malformed line; first: line 1 \(bad or missing share=\)' \
	"bad truth lines reported"
like "$($HN --help)" 'Examples:' "--help has examples"
# --- delay estimator: rate = samples / sum of delays ------------------
# A (0xa): delays 1 ms, 1 ms          -> 2 / 0.002 s = 1000 accesses/s
# B (0xb): delays 100 ms x 4          -> 4 / 0.4 s   =   10 accesses/s
# D (0xd): delay 0.5 ms               -> 1 / 0.0005  = 2000 accesses/s
# share = rate / sum of rates (3010): D .6645, A .3322, B .0033
cat > "$T/ab.txt" <<'IN'
# two frames: A fast and rarely sampled, B slow and often sampled
t=1000000000 vcpu=0 gfn=0xb type=r-- level=1 delay=100000000
t=1001000000 vcpu=0 gfn=0xa type=r-- level=1 delay=1000000
t=1100000000 vcpu=0 gfn=0xb type=r-- level=1 delay=100000000
t=1200000000 vcpu=0 gfn=0xb type=r-- level=1 delay=100000000
t=1201000000 vcpu=0 gfn=0xa type=r-- level=1 delay=1000000
t=1250000000 vcpu=0 gfn=0xd type=r-- level=1 delay=500000
t=1300000000 vcpu=0 gfn=0xb type=r-- level=1 delay=100000000
IN
"$GENLOG" --from-text -o "$T/ab.bin" < "$T/ab.txt"
out=$($HN "$T/ab.txt")
like "$out" '^window=0 .* samples=7 frames=3 hot_set=3 estimator=delay expired=0$' \
	"a text log with delays: the delay estimator by default"
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3, $4, $5}')" "1 0xd 1 2000.0 0.6645
2 0xa 2 1000.0 0.3322
3 0xb 4 10.0 0.0033" "rates n/sum(delay): D 2000/s, A 1000/s above B 10/s"
is "$($HN "$T/ab.bin")" "$out" "binary log: the same rates"
is "$($HN -e delay "$T/ab.txt")" "$out" "-e delay is the default here"
# count: B 4 samples, A 2, D 1 over 0.300000001 s (first to last sample)
out=$($HN -e count "$T/ab.txt")
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3, $4}')" "1 0xb 4 13.3
2 0xa 2 6.7
3 0xd 1 3.3" "-e count: B (most samples) above A"
# the same log as SystemTap writes it (no level=, delay=): count
sed 's/ level=.*//' "$T/ab.txt" > "$T/ab.stap"
like "$($HN -q "$T/ab.stap")" 'estimator=count expired=0$' "a log without delays: count by default"
err=$($HN -e delay -q "$T/ab.stap" 2>&1 >/dev/null)
like "$err" '7 of 7 samples without a delay .*try --estimator count' \
	"-e delay on a log without delays: samples skipped and reported"
like "$($HN -e delay -q "$T/ab.stap" 2>/dev/null)" 'frames=0 hot_set=0 estimator=delay expired=0$' \
	"... and no frame has an estimate"
$HN -e fast "$T/ab.txt" >/dev/null 2>&1
is "$?" 2 "an unknown estimator is a usage error"

# scores with delay: truth A hot .5, B hot .2, C hot .2 (never sampled),
# D cold .1. Hot set = 3 (truth_hot) = {D, A, B}: 2 hits -> precision
# 2/3, recall 2/3. sampled_hot = 2 (A, B): coverage 2/3; the top 2
# {D, A} hold 1 -> sampled_precision 0.5. Spearman over A,B,C,D: rates
# 1000,10,0,2000 -> ranks 3,2,1,4; shares .5,.2,.2,.1 -> ranks 4,2.5,
# 2.5,1: sxy = -1.5, sxx = 5, syy = 4.5, rho = -1.5/sqrt(22.5) = -0.3162.
# With count: 2,4,0,1 -> ranks 3,4,1,2: sxy = 1.5, rho = +0.3162; top 2
# {B, A} -> sampled_precision 1.
cat > "$T/ab.truth" <<'IN'
phase=0 gfn=0xa share=0.5 hot=1
phase=0 gfn=0xb share=0.2 hot=1
phase=0 gfn=0xc share=0.2 hot=1
phase=0 gfn=0xd share=0.1 hot=0
IN
like "$($HN -q -g "$T/ab.truth" "$T/ab.txt")" \
	'^precision=0\.6667 recall=0\.6667 spearman=-0\.3162 truth_phase=0 truth_hot=3 sampled_hot=2 coverage=0\.6667 sampled_precision=0\.5000 unscored=0$' \
	"delay estimator scored by hand"
like "$($HN -e count -q -g "$T/ab.truth" "$T/ab.txt")" \
	'^precision=0\.6667 recall=0\.6667 spearman=0\.3162 truth_phase=0 truth_hot=3 sampled_hot=2 coverage=0\.6667 sampled_precision=1\.0000 unscored=0$' \
	"count estimator scored by hand"
# -T in accesses/s: only D (2000) and A (1000) reach 500/s
like "$($HN -q -T 500 "$T/ab.txt")" 'hot_set=2 estimator=delay expired=0$' "-T 500 accesses/s keeps D and A"
# per window (1 s from t0 = 1 s): window 0 holds every sample
like "$($HN -q -w 150ms "$T/ab.txt" | head -n 1)" \
	'^window=0 start_ns=1000000000 end_ns=1150000000 samples=3 frames=2 ' \
	"-w: estimates within the window"
like "$($HN -w 150ms -k 1 "$T/ab.txt" | sed -n 3p)" '^ +1 +0xa +1 +1000\.0 ' \
	"window 0: A at 1 sample / 1 ms"

# huge regions: three level-2 samples of the 2 MiB region 0x200..0x3ff
# (0x201 at 2 ms and 2 ms, 0x202 at 4 ms: the region's delays sum to
# 8 ms) and one 4 KiB sample of 0x202 at 2 ms. Each frame's exposure is
# its own 4 KiB delays plus its region's: 0x201: 2 / 8 ms = 250/s;
# 0x202: (1 + 1) / (8 + 2) ms = 200/s; 0x300 (never named) no estimate.
cat > "$T/huge.txt" <<'IN'
t=1000000000 vcpu=0 gfn=0x201 type=r-- level=2 delay=2000000
t=1010000000 vcpu=0 gfn=0x202 type=r-- level=2 delay=4000000
t=1020000000 vcpu=0 gfn=0x201 type=r-- level=2 delay=2000000
t=1030000000 vcpu=0 gfn=0x202 type=r-- level=1 delay=2000000
IN
is "$($HN "$T/huge.txt" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3, $4}')" "1 0x201 2 250.0
2 0x202 2 200.0" "huge-region samples: the region's delays count for each of its frames"

# --- a simulated module run: known hot and cold frames ----------------
# 200 frames, 20 hot (every 10th) accessed at 4000/s, 180 cold at 10/s.
# Like the module, 3 sweeps arm every frame once each (one per ms, in a
# fixed shuffled order); the delay to the next access is Exp(rate),
# drawn by awk (seeded); arming left unaccessed for 1 s expires with no
# sample. Every frame gets about the same number of samples, so count
# cannot tell hot from cold; the delays can.
awk -v seed=7 'BEGIN {
	srand(seed); F = 200; t = 1000000000
	for (s = 0; s < 3; s++)
		for (j = 0; j < F; j++) {
			g = (j * 37) % F; rate = g % 10 ? 10 : 4000
			d = int(-log(1 - rand()) / rate * 1e9) + 1
			if (d < 1e9)
				printf "t=%.0f vcpu=0 gfn=0x%x type=r-- level=1 delay=%.0f\n", t + d, g, d
			t += 1000000
		}
}' | sort -t= -k2,2n > "$T/sim.txt"
awk 'BEGIN { for (g = 0; g < 200; g++)
	printf "phase=0 gfn=0x%x share=%.6f hot=%d\n", g,
	       g % 10 ? 10 / 5800 : 4000 / 58000, g % 10 ? 0 : 1 }' > "$T/sim.truth"
like "$($HN -q -g "$T/sim.truth" "$T/sim.txt")" \
	'^precision=1\.0000 recall=1\.0000 spearman=0\.[0-9]+ truth_phase=0 truth_hot=20 sampled_hot=20 coverage=1\.0000 sampled_precision=1\.0000 unscored=0$' \
	"simulated sweeps: the delay estimator finds the 20 hot frames exactly"
p=$($HN -e count -q -g "$T/sim.truth" "$T/sim.txt" | sed -n 's/^precision=\([0-9.]*\) .*/\1/p')
awk -v p="$p" 'BEGIN { exit !(p < 0.5) }'
ok $? \
	"... where sample counts cannot (count precision $p < 0.5)"
like "$($HN -q -k 20 "$T/sim.txt" -o /dev/stdout | head -n 1)" 'frames=200 hot_set=20 estimator=delay' \
	"every simulated frame was sampled"

# Censored waits (eptsample -c): expiry records add exposure, no access.
# A (0xa): delay 1 ms, then armed 999 ms without access -> 1 / 1.0 s = 1/s
# B (0xb): delay 100 ms                                  -> 1 / 0.1 s = 10/s
# C (0xc): armed 1 s twice, never accessed               -> rate 0, not ranked
# Without the expiry records A (1000/s) would rank above B.
cat > "$T/cens.txt" <<'IN'
t=1000000000 vcpu=0 gfn=0xa type=r-- level=1 delay=1000000
t=1100000000 vcpu=1 gfn=0xb type=-w- level=1 delay=100000000
t=2000000000 vcpu=4294967295 gfn=0xa type=--- level=1 delay=999000000 expired=1
t=2000000000 vcpu=4294967295 gfn=0xc type=--- level=1 delay=1000000000 expired=1
t=3000000000 vcpu=4294967295 gfn=0xc type=--- level=1 delay=1000000000 expired=1
IN
"$GENLOG" --from-text -o "$T/cens.bin" < "$T/cens.txt"
out=$($HN "$T/cens.txt")
like "$out" '^window=0 .* samples=2 frames=2 hot_set=2 estimator=delay expired=3$' \
	"expiry records are counted apart from samples; C is not in the hot set"
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3, $4}')" "1 0xb 1 10.0
2 0xa 1 1.0" "censored exposure: B 10/s above A 1/s (n / (delays + censored waits))"
is "$($HN "$T/cens.bin")" "$out" "binary log: the same"
like "$($HN "$T/cens.txt" 2>&1 >/dev/null)" '^$' "no warning about expiry records"
like "$(echo 't=1 vcpu=0 gfn=0x1 type=r-- level=1 delay=5 expired=2' | $HN 2>&1)" 'bad expired=' \
	"expired= takes 0 or 1"

# Revisits (eptsample -r): a revisit's sample counts like any other, and
# the flag survives text and binary logs. 0xa: 2 / (1 ms + 3 ms) = 500/s;
# 0xb: a revisit that expired.
cat > "$T/rev.txt" <<'IN'
t=1000000000 vcpu=0 gfn=0xa type=r-- level=1 delay=1000000
t=1500000000 vcpu=0 gfn=0xa type=r-- level=1 delay=3000000 revisit=1
t=1600000000 vcpu=4294967295 gfn=0xb type=--- level=1 delay=200000000 revisit=1 expired=1
IN
"$GENLOG" --from-text -o "$T/rev.bin" < "$T/rev.txt"
out=$($HN "$T/rev.txt")
like "$out" '^window=0 .* samples=2 frames=1 hot_set=1 estimator=delay expired=1$' \
	"a revisit's sample is a sample, its expiry an expiry"
like "$out" '^ +1 +0xa +2 +500\.0 ' "the revisit's delay joins the frame's exposure: 500/s"
is "$($HN "$T/rev.bin")" "$out" "binary log: the same"
is "$("$BIN/histo" -f flags --top 5 "$T/rev.bin" | awk '$1 ~ /^[0-9]+$/ {printf "%s ", $1}')" "0 4 6 " \
	"the binary log keeps F_REVISIT (4) and F_EXPIRED|F_REVISIT (6)"
like "$(echo 't=1 vcpu=0 gfn=0x1 type=r-- level=1 delay=5 revisit=3' | $HN 2>&1)" 'bad revisit=' \
	"revisit= takes 0 or 1"

# --- DAMON's view (-D): regions through the memslots, accessed bits ---
# Two memslots of 16 frames: gfn 0x0.. at hva A, gfn 0x100.. at hva B,
# with a gap between them. DAMON checks each region 20 times per
# aggregation (100 ms / 5 ms). Region 1, A's first 4 frames, accessed 20
# times: q = 20.5/21, rate = ln(42) / 5 ms = 747.5/s. Region 2 runs from
# A's frame 4 across the gap to B's frame 8, accessed twice: its 12 + 8
# frames get -ln(18.5/21) / 5 ms = 25.4/s; the gap has no frame. Region 3,
# B's last 8 frames, never accessed: ranked (4.8/s) but not sampled.
A=$((0x7f0000000000)); B=$((0x7f0000200000)); P=4096
damon_line() { echo "  kdamond.0-99  [001] .....  $1: damon_aggregated: target_id=0 nr_regions=3 $2-$3: $4 1"; }
{
	echo "# damon pid=1 sample_us=5000 aggr_us=100000"
	echo "# memslot gpa=0x0 hva=0x7f0000000000 pages=16"
	echo "# memslot gpa=0x100000 hva=0x7f0000200000 pages=16"
	damon_line 10.000000 $A $((A + 4 * P)) 20
	damon_line 10.000001 $((A + 4 * P)) $((B + 8 * P)) 2
	damon_line 10.000002 $((B + 8 * P)) $((B + 16 * P)) 0
} >"$T/damon.log"
{
	for g in 0 1 2 3; do echo "phase=0 gfn=$(printf 0x%x $g) share=0.2 hot=1"; done
	for g in $(seq 4 15) $(seq 256 271); do echo "phase=0 gfn=$(printf 0x%x $g) share=0.001 hot=0"; done
} >"$T/damon.truth"
out=$($HN -D -k 30 "$T/damon.log" 2>&1)
like "$out" '^window=0 start_ns=10000000000 .* samples=22 frames=24 hot_set=24 .* expired=38$' \
	"-D: a region split by the memslots counts its checks once (22 accessed, 38 not); 24 frames sampled"
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ { r[$4]++ } END { for (x in r) print x, r[x] }' | sort -rn | tr '\n' ' ')" \
	"747.5 4 25.4 20 " "-D: 4 frames at 747.5/s, 20 at 25.4/s (the gap holds none), worked out by hand"
is "$(echo "$out" | awk '$1 == 17 { print $2 }')" 0x100 "-D: the region crossing the gap goes on at the second memslot's gfn 0x100"
like "$($HN -D -q -g "$T/damon.truth" "$T/damon.log")" 'precision=1.0000 recall=1.0000 ' \
	"-D: scored against a truth by the same code: the 4 hot frames found"
{ echo "# damon pid=1 sample_us=5000 aggr_us=100000"; damon_line 1.000000 $A $((A + P)) 3; } >"$T/damon-noslot.log"
like "$($HN -D "$T/damon-noslot.log" 2>&1)" "no '# memslot' lines" "-D: a log without memslots says so"
{ damon_line 1.000000 $A $((A + P)) 3; echo "# damon pid=1 sample_us=5000 aggr_us=100000"
  echo "# memslot gpa=0x0 hva=0x7f0000000000 pages=16"; damon_line 1.000001 $A $((A + P)) 21; damon_line 1.000002 $A $((A + P)) 5; } >"$T/damon-bad.log"
err=$($HN -D "$T/damon-bad.log" 2>&1 >/dev/null)
like "$err" '2 malformed lines; first: line 1 \(a trace line before the .# damon. line\), line 4 \(nr_accesses above aggr_us / sample_us\)' \
	"-D: a trace line before the header and an impossible nr_accesses are malformed, with line numbers"
# The capture's start mark is the time origin; --until keeps the records
# of its first DUR: 100.001 ms from 9.9 s holds only the first region line.
{ sed -n 1,3p "$T/damon.log"; echo "  <...>-5 [000] ..... 9.900000: tracing_mark_write: eptscope-damon start"
  sed -n '4,$p' "$T/damon.log"; } >"$T/damon-mark.log"
like "$($HN -D -q "$T/damon-mark.log")" '^window=0 start_ns=9900000000 .* samples=22 frames=24 ' \
	"-D: the window starts at the capture's start mark"
like "$($HN -D -q -u 100001us "$T/damon-mark.log")" '^window=0 start_ns=9900000000 end_ns=10000001000 samples=20 frames=4 ' \
	"--until: only the records of the first 100.001 ms (the first region)"
like "$($HN -q -u 1s "$T/s.txt")" '^window=0 start_ns=1000000000 end_ns=2000000000 samples=11 frames=4 ' \
	"--until on a sample log: window 0's 11 samples, not window 1's"
$HN -D -e delay "$T/damon.log" >/dev/null 2>&1
is $? 2 "-D with --estimator is a usage error (exit 2)"

# --phase-times: the phases as the guest reported them. Frame 0x1 is hot
# in phase 0 and 0x2 in phase 1; the guest changed at 2.3 s, so window 2
# (2..3 s: middle 2.5 s) is phase 1 with a change inside it, and window 3
# is phase 1 with phase 0 before it, where its hot set scores 0.
cat >"$T/pt.truth" <<'IN'
# phase_seconds=3
phase=0 gfn=0x1 share=0.5 hot=1
phase=0 gfn=0x2 share=0.5 hot=0
phase=1 gfn=0x1 share=0.5 hot=0
phase=1 gfn=0x2 share=0.5 hot=1
IN
{ echo "# eptsample pid=1 freq=1000 types=rwx start_ns=0"
  for t in $(seq 0 100000000 3900000000); do
	g=1; [ "$t" -ge 2300000000 ] && g=2
	echo "t=$t vcpu=0 gfn=0x$g type=r-- level=1 delay=1000"
	echo "t=$((t + 1)) vcpu=0 gfn=0x$((3 - g)) type=r-- level=1 delay=100000000"
  done; } >"$T/pt.log"
printf 'tick t=1.000 vcpu=0\nphase t=2.300 phase=1\n' >"$T/pt.guest"
out=$($HN -q -w 1s --t0 0 -P "$T/pt.guest" -g "$T/pt.truth" "$T/pt.log")
like "$(grep '^precision=' <<<"$out" | sed -n 1p)" 'truth_phase=0 .* phase_changes=0 prev_phase=-1 prev_precision=nan ' \
	"-P: window 0 is phase 0, the first, with no phase before"
like "$(grep '^precision=' <<<"$out" | sed -n 3p)" '^precision=1.0000 .*truth_phase=1 .* phase_changes=1 prev_phase=0 ' \
	"-P: window 2 (middle 2.5 s) is phase 1, by the guest's change at 2.3 s, with the change inside it"
like "$(grep '^precision=' <<<"$out" | sed -n 4p)" 'truth_phase=1 .* phase_changes=0 prev_phase=0 prev_precision=0.0000 prev_recall=0.0000 prev_sampled_precision=0.0000$' \
	"-P: window 3's hot set scored against the phase before: 0"
like "$($HN -q -w 1s --t0 0 -g "$T/pt.truth" "$T/pt.log" | grep '^precision=' | sed -n 3p)" 'truth_phase=0 ' \
	"without -P, window 2 is phase 0 by the truth's 3 s phases"
like "$($HN -q -w 1s --t0 0 --from 1s -u 3s -P "$T/pt.guest" -g "$T/pt.truth" "$T/pt.log" | grep -c '^window=')" '^2$' \
	"--from 1s -u 3s: the two whole windows 1..2 s and 2..3 s"
printf 'phase t=2.3 phase=one\n' >"$T/pt.bad"
like "$($HN -q -P "$T/pt.bad" -g "$T/pt.truth" "$T/pt.log" 2>&1 >/dev/null)" "pt.bad:1: not a 'phase t=SECONDS phase=P' line" \
	"-P: a malformed phase line is named with its line number"
printf 'phase t=2.3 phase=1\nphase t=1 phase=0\n' >"$T/pt.bad"
$HN -q -P "$T/pt.bad" -g "$T/pt.truth" "$T/pt.log" >/dev/null 2>&1
is $? 2 "-P: phase changes out of time order are an error (exit 2)"
$HN -q -L 3s -P "$T/pt.guest" -g "$T/pt.truth" "$T/pt.log" >/dev/null 2>&1
is $? 2 "-P with --phase-length is a usage error (exit 2)"
done_testing
