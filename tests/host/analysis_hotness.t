#!/usr/bin/env bash
# analysis_hotness.t - hotness ranking, hot set by size and threshold,
# precision/recall/Spearman against a ground truth, per window; the
# expected scores are worked out by hand in the comments.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
HN=$BIN/hotness

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

out=$($HN -k 3 "$T/s.txt")
like "$out" '^window=0 .* samples=16 frames=6 hot_set=3$' "one window over the whole log"
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3}')" "1 0x10 5
2 0x20 4
3 0x11 3" "ranked by sample count"
is "$($HN -k 3 "$T/s.bin")" "$out" "binary log gives the same ranking"

out=$($HN -w 1s -L 1s -g "$T/truth.txt" "$T/s.txt")
# window 0: hot set = 3 (hot frames of phase 0) = {10,11,12}: 2 hits
# -> precision 2/3, recall 2/3. Spearman over {10,11,12,14,13}: counts
# 5,3,2,0,1 vs shares .4,.3,.1,.2,0: sum d^2 = 6, rho = 1-36/120 = 0.7
like "$out" '^precision=0\.6667 recall=0\.6667 spearman=0\.7000 truth_phase=0 truth_hot=3$' \
	"window 0 scored by hand"
# window 1: hot set = {20}: precision 1, recall 1, rho 1
like "$out" '^precision=1\.0000 recall=1\.0000 spearman=1\.0000 truth_phase=1 truth_hot=1$' \
	"window 1 scored by hand"
like "$out" '^windows=2 mean_precision=0\.8333 mean_recall=0\.8333 mean_spearman=0\.8500$' \
	"means over windows"
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
is "$($HN -w 1s -g "$T/truth.cols" -q "$T/s.txt" | grep -v '^window=')" \
	"$(echo "$out" | grep -E '^(precision|windows)=')" \
	"workload/guest's column truth format: same scores"
like "$($HN -w 1s -k 1 -p 0 -g "$T/truth.txt" "$T/s.txt" | head -n 5)" \
	'^precision=1\.0000 recall=0\.3333 ' "-k 1: precision 1/1, recall 1/3"
like "$($HN -w 1s -T 2.5 -q "$T/s.txt")" '^window=0 .*samples=11 frames=4 hot_set=2$' \
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
done_testing
