#!/usr/bin/env bash
# analysis_heatmap.t - analysis/heatmap on hand-made logs whose cells are
# worked out in the comments: the text map (ramp, gfn and time axes), the
# CSV matrix, bounded rows and columns, the truth's hot rows scored per
# column (a phase change shows in the columns), the gnuplot PNG and SVG
# at the right size; then bad input (exit codes, clear errors, nothing
# printed after a failed open), and the man page naming every long
# option of --help.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
HM=$BIN/heatmap

# Frames 0-7, accessed-bit records of 100 ms intervals: in the first
# second 0-3 touched and 4-7 not, in the next the other way round. One
# observation each: touched, q = 1.5/2, rate = -ln(0.25) / 0.1 s =
# 13.8629/s; untouched, q = 0.5/2, -ln(0.75) / 0.1 s = 2.87682/s (the
# Bernoulli estimate of hotness).
ab() { # t gfn touched
	if [ "$3" = 1 ]; then echo "t=$1 vcpu=4294967295 gfn=$2 type=--- level=1 delay=50000000 abit=1"
	else echo "t=$1 vcpu=4294967295 gfn=$2 type=--- level=1 delay=100000000 abit=1 expired=1"; fi
}
{
	for f in 0 1 2 3 4 5 6 7; do ab $((1000000000 + f)) 0x$f $((f < 4)); done
	for f in 0 1 2 3 4 5 6 7; do ab $((2000000000 + f)) 0x$f $((f >= 4)); done
} >"$T/p.txt"
"$GENLOG" --from-text -o "$T/p.bin" <"$T/p.txt"
out=$($HM -r 2 -w 1s "$T/p.txt")
like "$out" '^# heatmap: 2 rows of 4 frames \(gfn 0x0-0x7\) x 2 columns of 1s; estimated accesses/s$' "the header: rows, columns, units"
is "$(grep '|$' <<<"$out")" "0x4-0x7 |.@|
0x0-0x3 |@.|" "the map: the hot half moves from frames 0-3 to 4-7 (highest frames on top)"
like "$out" "^ +0s +\\(time since t0\\)$" "the time axis, in seconds (two columns: room for its first label)"
like "$out" "^# ramp \\(log\\): ' ' no record, '\\.' 2\\.88/s, .*'@' 11\\.6/s and up$" "the legend: the ramp from the lowest to the highest rate"
is "$($HM -r 2 -w 1s "$T/p.bin")" "$out" "the binary log gives the same"

csv=$($HM -r 2 -w 1s --csv "$T/p.txt")
is "$csv" "time_s,time_end_s,gfn_lo,gfn_hi,rate
0.000000,1.000000,0,3,13.8629
0.000000,1.000000,4,7,2.87682
1.000000,2.000000,0,3,2.87682
1.000000,2.000000,4,7,13.8629" "--csv: the raw matrix, worked out by hand"
is "$($HM -r 2 -w 1s --csv -o "$T/m.csv" "$T/p.txt"; cat "$T/m.csv")" "$csv" "-o FILE"
is "$($HM -r 2 -w 1s --csv --from 1s "$T/p.txt" | sed 1d | cut -d, -f1,3,5 | tr '\n' ' ')" "1.000000,0,2.87682 1.000000,4,13.8629 " \
	"--from 1s: the columns start there"
like "$($HM -r 2 -w 500ms --csv "$T/p.txt")" '^0\.500000,1\.000000,0,3,nan$' "-w 500ms: a column with no record is nan"

# the truth: phase 0 hot 0-3, phase 1 hot 4-7, a second each
{
	echo "# phase_seconds=1"; echo "# columns=gfn phase share hot"
	for f in 0 1 2 3 4 5 6 7; do echo "$f 0 $( [ $f -lt 4 ] && echo 0.2 || echo 0.05) $((f < 4))"; done
	for f in 0 1 2 3 4 5 6 7; do echo "$f 1 $( [ $f -ge 4 ] && echo 0.2 || echo 0.05) $((f >= 4))"; done
} >"$T/truth"
out=$($HM -r 2 -w 1s -g "$T/truth" "$T/p.txt")
is "$(grep -e '^column=' -e '^columns=' <<<"$out")" "column=0 time_s=0.000 phase=0 truth_hot_rows=1 top_hot=1 precision=1.0000
column=1 time_s=1.000 phase=1 truth_hot_rows=1 top_hot=1 precision=1.0000
columns=2 mean_precision=1.0000" "--truth: each column's hottest row is its phase's hot row"
like "$($HM -r 2 -w 1s -g "$T/truth" -p 1 "$T/p.txt")" '^columns=2 mean_precision=0\.5000$' \
	"-p 1: every column against phase 1: the first column's hot row is wrong"
# a third second like the first: the guest's phases go round, so the
# third column is phase 0 again
{ cat "$T/p.txt"; for f in 0 1 2 3 4 5 6 7; do ab $((3000000000 + f)) 0x$f $((f < 4)); done; } >"$T/p3.txt"
like "$($HM -r 2 -w 1s -g "$T/truth" "$T/p3.txt")" '^column=2 time_s=2\.000 phase=0 truth_hot_rows=1 top_hot=1 precision=1\.0000$' \
	"past the last phase, the phases go round (column 2 is phase 0)"
like "$($HM -r 2 -w 1s -g "$T/truth" --csv "$T/p.txt")" '^1\.000000,2\.000000,4,7,13\.8629,1\.0000$' "--csv with --truth: the row's hot share in the column's phase"

# bounded: two frames 2^20 apart over 10 s: 24 rows, at most 60 columns
{ ab 1000000000 0x0 1; ab 11000000000 0x100000 1; } >"$T/wide.txt"
out=$($HM "$T/wide.txt")
is "$(grep -c '|$' <<<"$out")" 24 "default: 24 rows, whatever the frame range"
cols=$(grep -m1 '|$' <<<"$out" | sed 's/.*|\(.*\)|$/\1/' | awk '{ print length($0) }')
le "$cols" 60 "default: at most 60 columns ($cols)"
like "$out" 'columns of 170ms' "... of a length that reads well (10 s / 60, rounded up to 170 ms)"
like "$out" '^ +0s +0\.85s +2\.55s +4\.25s .* +\(time since t0\)$' "... time labels every 10 columns where they fit"
is "$($HM -r 3 -G 0-8 "$T/p.txt" | grep -c '|$')" 3 "--gfn 0-8 -r 3: three rows of three frames"

# plots: PNG and SVG at 1000 x 600, not empty
$HM -r 2 -w 1s --plot "$T/h.png" -t "hand-made" "$T/p.txt" >/dev/null
is "$?" 0 "--plot FILE.png: exit 0"
like "$(file "$T/h.png")" 'PNG image data, 1000 x 600' "the PNG is 1000 x 600"
ge "$(stat -c %s "$T/h.png")" 10000 "... and not empty ($(stat -c %s "$T/h.png") bytes)"
$HM -r 2 -w 1s --plot "$T/h.svg" "$T/p.txt" >/dev/null
like "$(head -c 2000 "$T/h.svg")" 'width="1000" height="600"' "the SVG is 1000 x 600"
like "$(cat "$T/h.svg")" 'estimated accesses/s' "... with the colour bar's label"
like "$(cat "$T/h.svg")" 'guest frame number' "... and the axes' labels"

# --- bad input ------------------------------------------------------------
out=$($HM "$T/missing" 2>"$T/err"); rc=$?
is "$rc:$out" "2:" "a missing log: exit 2, nothing printed"
like "$(cat "$T/err")" 'missing: No such file' "... said so"
$HM -o "$T/o.txt" "$T/missing" 2>/dev/null
ok "$([ ! -e "$T/o.txt" ]; echo $?)" "-o FILE is not created after a failed open"
printf 'EPTSLOG\0garbage' >"$T/badhdr.bin"
$HM "$T/badhdr.bin" >/dev/null 2>&1; is "$?" 2 "a bad binary header: exit 2"
: >"$T/empty"
out=$($HM "$T/empty" 2>"$T/err"); rc=$?
is "$rc:$out" "1:" "an empty log: exit 1, nothing printed"
like "$(cat "$T/err")" 'no records' "... 'no records'"
$HM --vcpu 3 "$T/p.txt" >/dev/null 2>"$T/err"; is "$?" 1 "every record filtered out: exit 1"
out=$($HM --plot "$T/h.gif" "$T/p.txt" 2>"$T/err"); rc=$?
is "$rc:$out" "2:" "--plot FILE.gif: exit 2, nothing printed"
like "$(cat "$T/err")" 'must end in .png or .svg' "... said so"
for a in "-r 0" "-r 5000" "-C 0" "-w 0x" "-G 5-1" "-G 5" "-G x-9" "--nosuch" "$T/p.txt" "-p 0 -L 1s" \
	"-g $T/missing"; do
	$HM $a "$T/p.txt" >/dev/null 2>"$T/err"
	is "$?" 2 "'heatmap $a': a usage error, exit 2 ($(head -n 1 "$T/err" | cut -c1-60))"
done
printf '# 2 phases\n0 0 0.5 1\n0 1 0.5 1\n' >"$T/truth2"
like "$($HM -g "$T/truth2" "$T/p.txt" 2>&1)" 'give --phase, --phase-length or --phase-times' "a multi-phase truth without a length names the fix"
$HM --help >"$T/help"; is "$?" 0 "--help: exit 0"
like "$(cat "$T/help")" '^Exit status' "--help ends with the exit status scheme"
man=$EPTSCOPE_ROOT/analysis/eptscope-heatmap.1
is "$(man_missing "$T/help" "$man")" "" "every long option of --help is in eptscope-heatmap.1"
MANWIDTH=80 man -l "$man" >/dev/null 2>&1
ok $? "the man page renders"
done_testing
