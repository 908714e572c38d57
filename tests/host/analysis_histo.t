#!/usr/bin/env bash
# analysis_histo.t - histo on one-number-per-line input: log2 and linear
# buckets against answers worked out by hand and by awk, malformed-line
# reporting, output options.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
H=$BIN/histo

# --- log2, by hand ---------------------------------------------------------
cat > "$T/n.txt" <<'IN'
# a comment
0
1
2
3
4
7
8
100000
-1
-3
-4
0x10

  5  
IN
# 0:1  1:1  2:2 (2,3)  4:3 (4,7,5)  8:1  16:1 (0x10)  65536:1 (100000)
# -1:1  -2:1 (-3)  -4:1
is "$($H "$T/n.txt" | rows)" "-4 1
-2 1
-1 1
0 1
1 1
2 2
4 3
8 1
16 1
65536 1" "log2 buckets as worked out by hand"
like "$($H "$T/n.txt")" '^# count=13 min=-4 max=100000 avg=' "summary line"
like "$($H "$T/n.txt")" '^ *value \|-{50} count$' "SystemTap-style header"
like "$($H "$T/n.txt")" '^ +~$' "runs of empty rows elided with ~"

# --- linear, by hand (SystemTap's rules: MAX has a bucket) -----------------
printf '%s\n' -5 0 9 10 99 100 109 110 500 > "$T/l.txt"
is "$($H --linear 0,100,10 "$T/l.txt" | rows)" "<0 1
0 2
10 1
90 1
100 2
>100 2" "linear buckets, underflow and overflow"

# --- log2 and linear against awk on 5000 pseudo-random values --------------
awk 'BEGIN { srand(42); for (i = 0; i < 5000; i++)
	print int(rand() * rand() * 1000000) - 1000 }' > "$T/r.txt"
want=$(awk '{ v = $1; if (v == 0) b = 0; else { m = v < 0 ? -v : v; b = 1;
	while (b * 2 <= m) b *= 2; if (v < 0) b = -b } c[b]++ }
	END { for (k in c) print k, c[k] }' "$T/r.txt" | sort -n)
is "$($H "$T/r.txt" | rows | sort -n)" "$want" "log2 histogram equals awk's"
want=$(awk '{ v = $1; if (v < 0) k = "<0"; else if (v >= 1000000 + 50000) k = ">1000000";
	else k = int(v / 50000) * 50000; c[k]++ }
	END { for (k in c) print k, c[k] }' "$T/r.txt" | sort)
is "$($H --linear 0,1000000,50000 "$T/r.txt" | rows | sort)" "$want" \
	"linear histogram equals awk's"
is "$(cat "$T/r.txt" | $H | rows)" "$($H "$T/r.txt" | rows)" "stdin = file"

# --- malformed lines ---------------------------------------------------------
printf '5\nabc\n7\n1.5\n\n# c\n9 9\n3\n' > "$T/bad.txt"
err=$($H "$T/bad.txt" 2>&1 >/dev/null); rc=$?
is "$rc" 0 "malformed lines do not fail the run"
like "$err" '3 malformed lines; first: line 2 \(not an integer\), line 4 \(not an integer\), line 7' \
	"malformed lines counted and shown by line number"
is "$($H "$T/bad.txt" 2>/dev/null | rows)" "2 1
4 2" "the good lines are counted"
awk 'BEGIN { for (i = 1; i <= 20; i++) print "x" i }' > "$T/allbad.txt"
err=$($H "$T/allbad.txt" 2>&1 >/dev/null); rc=$?
is "$rc" 1 "no value at all: exit 1"
like "$err" '20 malformed lines; first: line 1 .*line 5 \(' "only the first 5 line numbers"
: > "$T/empty"
$H "$T/empty" >/dev/null 2>&1; is "$?" 1 "empty input: exit 1"

# --- options -----------------------------------------------------------------
$H --linear 10,0,1 "$T/l.txt" >/dev/null 2>&1; is "$?" 2 "bad --linear is a usage error"
$H --nosuch >/dev/null 2>&1; is "$?" 2 "unknown option is a usage error"
like "$($H --help)" 'Examples:' "--help has examples"
$H -q -o "$T/out.txt" --linear 0,100,10 "$T/l.txt"
is "$(rows < "$T/out.txt")" "$($H --linear 0,100,10 "$T/l.txt" | rows)" \
	"-o writes the histogram to a file"
unlike "$(cat "$T/out.txt")" '^# count' "-q drops the summary"
is "$($H --data --linear 0,100,10 "$T/l.txt" | grep -v '^#' | head -n 2)" "0 10 2
10 20 1" "--data: gnuplot-ready low high count"
like "$($H --data --linear 0,100,10 "$T/l.txt")" '^# overflow from 110: 2$' "--data reports overflow"
like "$($H --data "$T/n.txt")" '^-7 -3 1$' "--data: negative log2 bucket bounds"
if command -v gnuplot >/dev/null; then
	$H -q --plot "$T/p.svg" "$T/n.txt" >/dev/null
	like "$(head -c 2000 "$T/p.svg")" '<svg' "--plot writes an SVG"
	$H -q --plot "$T/p.png" "$T/n.txt" >/dev/null
	is "$(head -c 4 "$T/p.png" | od -An -c | tr -d ' ')" '211PNG' "--plot writes a PNG"
else
	ok 0 "# SKIP gnuplot not installed"; ok 0 "# SKIP gnuplot not installed"
fi
out=$($H --plot "$T/p.gif" "$T/n.txt" 2>/dev/null); rc=$?
is "$rc" 2 "--plot needs .png or .svg: a usage error"
is "$out" "" "... refused before any output"
done_testing
