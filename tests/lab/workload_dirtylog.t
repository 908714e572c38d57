#!/usr/bin/env bash
# workload_dirtylog.t - an independent check that workload/guest does what
# its truth file says: run it in the lab with KVM dirty logging
# (KVM_GET_DIRTY_LOG on its RAM memslot) and compare the written frames with
# the ground truth.
#   - no frame with a zero expected share (in that phase) is ever written;
#   - every hot frame expected to take >= 20 writes was written;
#   - read-only and execute-only runs write no data frame at all.
# Uses --warmup, so the dirty log covers exactly the timed run's writes
# (see docs/workload.md, "Dirty log").
source "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

lab_required

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# name|options: one guest run each, all in one lab boot.
cases=(
	"hc|--pattern hotcold:hot=10%,p=1 --mix r=70,w=30"
	"hc_scatter_p09|--pattern hotcold:hot=10%,p=0.9 --mix r=20,w=80"
	"contig|--pattern hotcold:hot=5%,p=1,contiguous --mix w=100 --vcpus 1"
	"phases|--pattern phases:every=0.4,n=3,hot=5%,p=1 --mix r=50,w=50"
	"zipf|--pattern zipf:s=1.1 --mix r=50,w=50"
	"seq|--pattern seq --mix w=100 --mem 8M"
	"readonly|--pattern hotcold:hot=10%,p=1 --mix r=100"
	"exec|--pattern hotcold:hot=10%,p=1 --mix x=100"
	"shared|--pattern hotcold:hot=10%,p=1 --mix r=70,w=30 --backing shared"
)

script='G=workload/guest; O=$LAB_OUT'
for c in "${cases[@]}"; do
	name=${c%%|*} opts=${c#*|}
	script+="
\$G --mem 16M --vcpus 2 --seconds 1.5 --interval 0 --warmup --seed 7 $opts \
  --truth \$O/$name.truth --dirty-log \$O/$name.dirty >\$O/$name.out 2>\$O/$name.err
echo \$? >\$O/$name.rc"
done

run_lab() { lab/run --timeout 300 --out "$out" -- sh -c "$script" >"$out/lab.log" 2>&1; }
lab_run_ok "$out/lab.log" "lab run" run_lab || { done_testing; exit 1; }

# check TRUTH DIRTY OUT: prints "outside=N hot_checked=N hot_missed=N
# data_written=N" (frames, phases counted separately).
check() {
	awk '
	FNR == 1 { file++ }
	file == 1 && /^# data_frames=/ { split($2, a, "="); nframes = a[2] + 0 }
	file == 1 && /^[0-9]/ { share[$2, $1] = $3; hot[$2, $1] = $4; nph = $2 + 1 > nph ? $2 + 1 : nph }
	file == 2 && /^[0-9]/ { if ($1 < nframes) { dirty[$2, $1] = 1; written++ } }
	file == 3 && /^vcpu id=/ { for (i = 1; i <= NF; i++) if ($i ~ /^writes=/) { sub(/writes=/, "", $i); writes += $i } }
	file == 3 && /^total / { for (i = 1; i <= NF; i++) if ($i ~ /^phase_changes=/) { sub(/phase_changes=/, "", $i); periods = $i + 1 } }
	END {
		for (k in dirty) { split(k, p, SUBSEP); if (share[p[1], p[2]] + 0 == 0) outside++ }
		for (k in hot) {
			if (hot[k] != 1) continue
			if (share[k] * writes / periods < 20) continue
			checked++
			if (!(k in dirty)) missed++
		}
		printf "outside=%d hot_checked=%d hot_missed=%d data_written=%d\n",
			outside, checked, missed, written
	}' "$1" "$2" "$3"
}

for c in "${cases[@]}"; do
	name=${c%%|*}
	rc=$(cat "$out/$name.rc" 2>/dev/null)
	is "$rc" 0 "$name: guest ran (exit 0)"
	[ "$rc" = 0 ] || { sed 's/^/# /' "$out/$name.err"; continue; }
	r=$(check "$out/$name.truth" "$out/$name.dirty" "$out/$name.out")
	diag "$name: $r"
	nhot=$(sed -n 's/^# hot_frames=//p' "$out/$name.truth")
	nph=$(sed -n 's/^# phases=//p' "$out/$name.truth")
	is "$(kv_in outside "$r")" 0 "$name: no frame outside the pattern was written"
	case $name in
	readonly | exec)
		is "$(kv_in data_written "$r")" 0 "$name: no data frame written"
		;;
	*)
		is "$(kv_in hot_checked "$r")" "$((nhot * nph))" \
			"$name: every hot frame is expected to be written ($nhot x $nph phases)"
		is "$(kv_in hot_missed "$r")" 0 "$name: every hot frame was written"
		;;
	esac
done

# The contiguous hot set is frames 0..nhot-1, so the written frames are too.
nhot=$(sed -n 's/^# hot_frames=//p' "$out/contig.truth")
is "$(awk -v n="$nhot" '/^[0-9]/ && $1 < 4096 { c++; if ($1 >= n) bad++ } END { print c "/" bad + 0 }' "$out/contig.dirty")" \
	"$nhot/0" "contig: exactly frames 0..$((nhot - 1)) written"

# Phases: the hot sets of phases 0, 1, 2 are disjoint and each was written
# only in its own phase.
is "$(awk '/^[0-9]/ && $1 < 4096 { n[$2]++ } END { print n[0] + 0, n[1] + 0, n[2] + 0 }' "$out/phases.dirty")" \
	"$(awk '/^[0-9]/ && $4 == 1 { n[$2]++ } END { print n[0] + 0, n[1] + 0, n[2] + 0 }' "$out/phases.truth")" \
	"phases: written frames per phase = hot frames per phase"
like "$(cat "$out/phases.out")" '^total .*phase_changes=3' "phases: 3 phase changes in 1.5 s at 0.4 s"

done_testing
