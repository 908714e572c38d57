#!/usr/bin/env bash
# plots.t - every plot renders, at its size: histo --plot (log2, linear,
# --top; PNG and SVG) on a sample log made here, with
# units, a log axis for log2 buckets and a bounded number of ticks (read
# from the gnuplot script, kept through $GNUPLOT); and each experiment's
# plot.gp on fixture data (tests/fixtures/plots/NAME) or, for
# sampler-accuracy, on its committed scores in results/. Each output must
# be a PNG (signature) of the width and height its script sets, with more
# in it than a blank page, and gnuplot must print no warning.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C.UTF-8

command -v gnuplot >/dev/null || skip_all "no gnuplot (lab/setup installs gnuplot-nox)"
H=${ANALYSIS_BIN:-$EPTSCOPE_ROOT/analysis}/histo
[ -x "$H" ] || skip_all "analysis/histo is not built (make -C analysis)"
T=${PLOTS_KEEP:-$(mktemp -d)}
[ -n "${PLOTS_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT

# png_size FILE: "WxH" from the PNG header (signature, then IHDR), or
# "not a PNG".
png_size() {
	od -An -v -tu1 -N24 "$1" 2>/dev/null | tr -s ' \n' '  ' | awk '{
		if (NF < 24 || $1 != 137 || $2 != 80 || $3 != 78 || $4 != 71 ||
		    $13 != 73 || $14 != 72 || $15 != 68 || $16 != 82) { print "not a PNG"; exit }
		printf "%dx%d\n", (($17 * 256 + $18) * 256 + $19) * 256 + $20,
			(($21 * 256 + $22) * 256 + $23) * 256 + $24 }'
}

# A blank page of the same size, for "more than a blank page".
gnuplot -e "set terminal pngcairo size 1000,600; set output '$T/blank.png'; unset border; unset tics; set xrange [0:1]; set yrange [0:1]; plot -1 notitle" 2>/dev/null
blank=$(stat -c %s "$T/blank.png" 2>/dev/null || echo 0)
ge "$blank" 100 "a blank 1000x600 PNG to compare with ($blank bytes)"

# check_png FILE WxH WHAT
check_png() {
	is "$(png_size "$1")" "$2" "$3: a $2 PNG"
	ge "$(stat -c %s "$1" 2>/dev/null || echo 0)" $((blank * 2)) "$3: more in it than a blank page ($blank bytes)"
}

# ---- histo --plot ------------------------------------------------------
# 80 samples of 80 frames, delays from 87.16 µs to 10 ms, made here
# (results/ change with every run).
S=$T/delays.txt
n=0
for d in 87160 150000 400000 1000000 2500000 5000000 7000000 10000000; do
	for i in 1 2 3 4 5 6 7 8 9 10; do
		n=$((n + 1))
		printf 't=%d vcpu=0 gfn=0x%x type=r-- level=1 delay=%d\n' "$n" "$n" "$d"
	done
done >"$S"
export GNUPLOT="tee $T/script.gp | gnuplot"
$H -q -f delay --plot "$T/log2.png" "$S" >/dev/null 2>"$T/err"
is "$?" 0 "histo --plot (log2): exit 0"
check_png "$T/log2.png" 1000x600 "histo --plot, log2 delays"
gp=$(cat "$T/script.gp")
like "$gp" '^set logscale x' "log2 buckets: a log x axis"
like "$gp" "^set xtics \('[0-9]+ (ns|µs|ms|s)' " "... ticks labelled with time units"
like "$gp" "'1 ms' 1000000[,)]" "... 1 ms where 10^6 ns are"
like "$gp" "^set xlabel 'delay \(log scale\)'" "... the axis says what and how"
like "$gp" "^set ylabel 'values per bucket" "... the y axis says what it counts"
like "$gp" "^set title 'delay'.*'80 values, min 87.16 µs, max 10 ms; log2 buckets" "... the title gives count, min and max in units"
like "$gp" '^set rmargin [1-9]' "... a right margin for the last tick label"
nt=$(sed -n 's/^set xtics (//p' "$T/script.gp" | grep -o "' [0-9.e+-]*" | wc -l)
le "$nt" 10 "... at most 10 ticks ($nt)"
ge "$nt" 3 "... at least 3 ticks ($nt)"

printf '%s\n' 0 0 0 1 5 1000 3000 20000 | $H -q -u ns --plot "$T/zero.png" >/dev/null 2>&1
like "$(cat "$T/script.gp")" "^set xtics \('0' 0\.7[0-9]*, '10 ns' 10, " "log2 with zeros: a 0 tick at the zero bucket, no 1 ns tick crowding it"

$H -q -f delay --linear 0,5000000,20000 --plot "$T/lin.png" "$S" >/dev/null 2>"$T/err"
is "$?" 0 "histo --plot (linear, 251 buckets): exit 0"
check_png "$T/lin.png" 1000x600 "histo --plot, linear delays"
gp=$(cat "$T/script.gp")
unlike "$gp" '^set logscale' "linear buckets: a linear axis"
like "$gp" "^set xlabel 'delay \(ms\)'" "... in one unit for the axis, ms"
nt=$(sed -n 's/^set xtics (//p' "$T/script.gp" | grep -o "' [0-9.e+-]*" | wc -l)
le "$nt" 12 "... at most 10 ticks, and the under- and overflow buckets' ($nt for 251 buckets)"
ge "$nt" 4 "... at least 4 ticks ($nt)"
like "$gp" "'≥5.02' " "... the overflow bucket (the 10 ms delays) labelled from where it starts"

seq 0 7 2000000 | $H -q -u pages --linear 0,2000000,100000 --plot "$T/lin2.png" >/dev/null 2>&1
gp=$(cat "$T/script.gp")
like "$gp" "^set xlabel 'value \(pages\)'" "-u pages: the unit named on the axis"
like "$gp" "'1M' 1000000[,)]" "... ticks with SI prefixes (1M)"
like "$gp" "^set ylabel 'values per bucket'.' \(thousands\)'" "... counts over 10000 shown in thousands"

$H -q -f gfn --top 60 --plot "$T/top.png" "$S" >/dev/null 2>"$T/err"
is "$?" 0 "histo --plot --top 60: exit 0"
check_png "$T/top.png" 1000x600 "histo --plot, --top 60 frames"
gp=$(cat "$T/script.gp")
like "$gp" '^set xtics rotate by 45 right' "--top: crowded labels turned, ending at their bar"
like "$gp" "xtic\(int\(\\\$0\) % 2 " "... and 60 labels thinned to every 2nd"
like "$gp" "^set ylabel 'occurrences" "... the y axis says what it counts"

$H -q -f delay --plot "$T/log2.svg" "$S" >/dev/null 2>&1
like "$(head -c 400 "$T/log2.svg")" 'viewBox="0 0 1000 600"' "histo --plot FILE.svg: a 1000x600 SVG"
like "$(cat "$T/log2.svg")" '<text>(100|200|500) µs</text>' "... its tick labels in µs"
unset GNUPLOT

$H -q -f delay --plot "$T/x.pdf" "$S" >/dev/null 2>"$T/err"
is "$?" 2 "--plot x.pdf: exit 2"
like "$(cat "$T/err")" 'must end in .png or .svg' "... saying which names work"
: | $H -q --plot "$T/none.png" >/dev/null 2>"$T/err"
is "$?" 1 "--plot with no values: exit 1"
[ ! -e "$T/none.png" ]
ok $? "... and no plot drawn"
GNUPLOT=false $H -q -f delay --plot "$T/fail.png" "$S" >/dev/null 2>"$T/err"
is "$?" 2 "gnuplot failing: exit 2"
like "$(cat "$T/err")" 'gnuplot failed' "... saying so"

# ---- the experiments' plot.gp -----------------------------------------
# render NAME DATA_DIR "PNG WxH ..." [gnuplot -e definitions]
render() {
	local name=$1 data=$2 pngs=$3 dir=$T/exp-$1 p
	shift 3
	mkdir -p "$dir"
	(cd "$dir" && gnuplot -e "out='$data'" "$@" "$EPTSCOPE_ROOT/experiments/$name/plot.gp") >"$dir/out" 2>&1
	is "$?" 0 "$name/plot.gp: gnuplot exits 0"
	is "$(grep -ci 'warning' "$dir/out")" 0 "$name/plot.gp: no gnuplot warning"
	[ -s "$dir/out" ] && diag "$(head -n 5 "$dir/out")"
	for p in $pngs; do
		check_png "$dir/${p%%:*}" "${p#*:}" "$name: ${p%%:*}"
	done
}
F=$EPTSCOPE_ROOT/tests/fixtures/plots
render cross-validation "$F/cross-validation" "agreement-per-second.png:1000x520 lag.png:1000x520" -e "tol='100ms'"
render ept-hot "$F/ept-hot" "rate-by-rank.png:1000x520 precision-at-n.png:1000x520" -e "chance=0.1" -e "top=30"
render mmu-load "$F/mmu-load" "loads_vs_switches.png:800x500 loads_per_switch.png:800x500 load_time.png:800x500 loads_per_second.png:800x500"
render mmu-pages-dfs "$F/mmu-pages-dfs" "dfs_walk.png:900x460 walk_lengths.png:900x460" -e "sample='41'"
render root-hpa "$F/root-hpa" "root_timeline_tdp.png:900x480 root_timeline_shadow.png:900x640" -e "w4=0.5; w8=0.5"
render sampler-overhead "$F/sampler-overhead" "overhead-timeline.png:1000x480 overhead-ratio.png:1000x480"
render vhost-rx-stall "$F/vhost-rx-stall" "ring-normal.png:1200x820" -e "run='normal'; sent_rx=1000; sent_tx=1000; what='tx=1000,rx=1000'"
render vhost-rx-stall "$F/vhost-rx-stall" "ring-stalled.png:1200x820" -e "run='stalled'; sent_rx=900; sent_tx=600; what='tx=600,rx=900,stall=100'"

# sampler-accuracy from its committed scores (the headline variant, with
# expiry records), in the blocks its run writes.
R=results/sampler-accuracy
A=$T/sampler-accuracy-data
mkdir -p "$A"
rates=$(awk '!/^#/ && $1 == "hotcold" && !s[$2]++ { printf "%s%s", n++ ? " " : "", $2 }' "$R/scores-cumulative-with-expiry.txt")
for tag in hotcold zipf; do
	for r in $rates; do
		awk -v t="$tag" -v r="$r" '$1 == t && $2 == r { print $3, $4, $5, $6, $7, $8 }' "$R/scores-cumulative-with-expiry.txt"
		printf '\n\n'
	done
done >"$A/cum.dat"
for r in $rates; do
	awk -v r="$r" '$1 == r { $1 = ""; print substr($0, 2) }' "$R/scores-phases-with-expiry.txt"
	printf '\n\n'
done >"$A/win.dat"
sed -n 's/^phase t=\([0-9.]*\) .*/\1/p' "$R/guest-phases.txt" >"$A/phase_lines.dat"
is "$(wc -w <<<"$rates")" 4 "sampler-accuracy: 4 capture configs in the committed scores ($rates)"
render sampler-accuracy "$A" "accuracy-hotcold.png:1000x520 accuracy-zipf.png:1000x520 accuracy-phases.png:1000x520" -e "rates='$rates'"
done_testing
