#!/usr/bin/env bash
# analysis_formats.t - histo on every input format: the module's text and
# binary sample logs, key=value, columns (by number and by header name),
# SystemTap output (its @hist text re-read and merged), --top, and the
# threaded read of a large file; answers from awk, sort and uniq; and
# eptsample -H, the header of a binary or text log.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
H=$BIN/histo

"$GENLOG" -n 3000 -s 5 > "$T/s.txt"
"$GENLOG" --from-text -o "$T/s.bin" < "$T/s.txt"

# awk's linear histogram of key K: "bucket count", WIDTH wide, from 0.
awk_kv() { # KEY WIDTH FILE
	awk -v k="$1" -v w="$2" '!/^#/ { for (i = 1; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) c[int(a[2] / w) * w]++ } }
		END { for (b in c) print b, c[b] }' "$3" | sort -n
}

want=$(awk_kv delay 10000 "$T/s.txt")
is "$($H -f delay --linear 0,90000,10000 "$T/s.txt" | rows | sort -n)" "$want" \
	"text sample log, -f delay: equals awk"
is "$($H -f delay --linear 0,90000,10000 "$T/s.bin" | rows | sort -n)" "$want" \
	"binary sample log, -f delay: equals awk on the text"
is "$($H -F bin -f level --linear 0,4,1 "$T/s.bin" | rows)" \
	"$(awk_kv level 1 "$T/s.txt")" "binary -f level"
is "$($H -f vcpu --top 10 "$T/s.txt" | rows | sort)" \
	"$(grep -v '^#' "$T/s.txt" | cut -d' ' -f2 | cut -d= -f2 | sort | uniq -c | awk '{print $2, $1}' | sort)" \
	"--top counts per key equal sort | uniq -c"
is "$($H -f gfn --top 3 "$T/s.bin" | rows)" \
	"$(grep -v '^#' "$T/s.txt" | cut -d' ' -f3 | cut -d= -f2 | sort | uniq -c | sort -k1,1nr -k2,2 | head -n 3 | awk '{print $2, $1}')" \
	"--top 3 -f gfn on the binary log: the 3 most sampled frames"
is "$($H -f type --top 8 "$T/s.bin" | rows | sort)" \
	"$(grep -v '^#' "$T/s.txt" | cut -d' ' -f4 | cut -d= -f2 | sort | uniq -c | awk '{print $2, $1}' | sort)" \
	"--top -f type: rwx strings"

# key=value lines with other keys, in any order
printf 'lat=5 op=read\nop=write lat=12\n# lat=1000\nlat=3\nop=x\n' > "$T/kv.txt"
is "$($H -f lat "$T/kv.txt" 2>/dev/null | rows)" "2 1
4 1
8 1" "key=value in any order; comments skipped"
like "$($H -f lat "$T/kv.txt" 2>&1 >/dev/null)" 'line 5 \(no such key\)' "a line without the key is malformed"

# columns
printf '# name lat size\na 10 100\nb 20 200\nc 30 oops\nd 40 400\n' > "$T/c.txt"
is "$($H -f 2 --linear 0,40,10 "$T/c.txt" | rows)" "10 1
20 1
30 1
40 1" "-f N: column N"
is "$($H -f size --linear 0,400,100 "$T/c.txt" 2>/dev/null | rows)" "100 1
200 1
400 1" "-f NAME: column from a '#' header line"
like "$($H -f size "$T/c.txt" 2>&1 >/dev/null)" 'line 4 \(value is not an integer\)' "bad column value reported"
printf 'lat size\n1 2\n' > "$T/c2.txt"
is "$($H -f size --linear 0,4,1 "$T/c2.txt" | rows)" "2 1" "-f NAME: header as first line"
err=$($H -f nosuch "$T/c2.txt" 2>&1 >/dev/null); rc=$?
is "$rc" 2 "unknown column name: a usage error, exit 2"
like "$err" 'no column of that name' "... that says so"

# SystemTap @hist text: histo's own output is re-read; merging doubles it
$H -f delay "$T/s.txt" > "$T/h1.txt"
is "$(cat "$T/h1.txt" "$T/h1.txt" | $H | rows)" \
	"$(rows < "$T/h1.txt" | awk '{print $1, 2 * $2}')" "two log2 histograms merged"
$H -f delay --linear 0,50000,10000 "$T/s.txt" > "$T/h2.txt"
is "$($H --linear 0,50000,10000 "$T/h2.txt" "$T/h2.txt" | rows)" \
	"$(rows < "$T/h2.txt" | awk '{print $1, 2 * $2}')" \
	"two linear histograms merged, underflow and overflow kept"
# a stap run: printed key=value lines mixed with an @hist_log block
cat > "$T/stap.out" <<'IN'
Tracing... Hit Ctrl-C to end.
delay=100 vcpu=0
delay=300 vcpu=1
value |-------------------------------------------------- count
   32 |@@                                                 2
   64 |                                                   0
  128 |@@@@                                               4
      ~
 1024 |@                                                  1

delay=1500 vcpu=0
IN
is "$($H -f delay "$T/stap.out" 2>/dev/null | rows)" "32 2
64 1
128 4
256 1
1024 2" "SystemTap output: key=value lines and @hist rows merged"
like "$($H -f delay "$T/stap.out" 2>&1 >/dev/null)" '1 malformed line; first: line 1 ' \
	"the banner line is reported, not fatal"

# threaded read of a large file gives the same answer, line numbers too
"$GENLOG" -n 600000 -s 9 > "$T/big.txt"
sed -i '1000s/delay=/delay=x/; 500000s/delay=/delay=y/' "$T/big.txt"
is "$($H -j 2 -f delay "$T/big.txt" 2>&1)" "$($H -j 1 -f delay "$T/big.txt" 2>&1)" \
	"-j 2 = -j 1, malformed line numbers included"
like "$($H -j 2 -f delay "$T/big.txt" 2>&1 >/dev/null)" 'line 1000 .*line 500000 ' \
	"line numbers right across the split"
is "$($H -j 2 -f delay --vcpu 1 --type w --from 100ms "$T/big.txt" 2>&1)" \
	"$($H -j 1 -f delay --vcpu 1 --type w --from 100ms "$T/big.txt" 2>&1)" \
	"record filters: -j 2 = -j 1 (the time origin is the input's first record)"
"$GENLOG" -b -n 1200000 -s 9 > "$T/big.bin"
is "$($H -j 2 -f gfn --top 5 "$T/big.bin")" "$($H -j 1 -f gfn --top 5 "$T/big.bin")" \
	"binary: -j 2 = -j 1"
is "$($H -j 2 -f delay --vcpu 2 --to 500ms "$T/big.bin")" "$($H -j 1 -f delay --vcpu 2 --to 500ms "$T/big.bin")" \
	"binary, record filters: -j 2 = -j 1"
# --- the fast path for a last key (text log, -f delay) ------------------
# Every line below is worked out by hand; the fast path must give what
# the general key=value path gives: values, comments, malformed lines.
printf '%s\n' \
	't=1 vcpu=0 gfn=0x1 type=r-- level=1 delay=5' \
	't=2 vcpu=0 gfn=0x1 type=r-- level=1 delay=123456789012' \
	't=3 vcpu=0 gfn=0x1 type=r-- level=1 delay=1234567890123' \
	't=4 vcpu=0 gfn=0x1 type=r-- level=1 delay=12345678' \
	't=5 vcpu=0 gfn=0x1 type=r-- level=1 delay=123456789' \
	'# a comment delay=7' \
	'' \
	't=8 vcpu=0 gfn=0x1 type=r-- level=1 delay=-3' \
	't=9 vcpu=0 gfn=0x1 type=r-- level=1 delay=0x10' \
	't=10 vcpu=0 gfn=0x1 type=r-- level=1 xdelay=5' \
	't=11 vcpu=0 gfn=0x1 type=r-- level=1 delay=' \
	't=12 vcpu=0 gfn=0x1 type=r-- level=1 delay=12a' \
	'delay=42' \
	"$(printf 't=14\tdelay=7')" \
	"$(printf 't=15 vcpu=0 gfn=0x1 type=r-- level=1 delay=9\r')" \
	' t=16 delay=8' \
	't=17 vcpu=0 gfn=0x1 type=r-- level=1 delay=00000000000000000000001' \
	't=18 vcpu=0 gfn=0x1 type=r-- level=1 delay=0' \
	't=19 vcpu=0 gfn=0x1 type=r-- level=1 delay=99999999999999999999' \
	't=20 vcpu=0 gfn=0x1 type=r-- level=1 delay=000000000001' > "$T/edge.txt"
# values: 5, 123456789012 (12 digits), 1234567890123 (13), 12345678 (8),
# 123456789 (9), -3, 0x10 = 16, 42 (key first), 7 (tab), 9 (CRLF), 8
# (leading blank), 1 (23 digits, leading zeros), 0, 1 (leading zeros):
# count 14, sum 1358160481688, avg 97011462977.7. Malformed: 10 (no
# delay= key), 11 and 12 (not integers), 19 (over 2^64: out of range).
out=$($H -f delay "$T/edge.txt" 2>"$T/edge.err")
like "$out" '^# count=14 min=-3 max=1234567890123 avg=97011462977\.7$' \
	"last-key fast path: the values the general path reads"
like "$(cat "$T/edge.err")" '4 malformed lines; first: line 10 \(no such key\), line 11 \(value is not an integer\), line 12 \(value is not an integer\), line 19 \(value out of range \(beyond 64 bits\)\)$' \
	"... and the same malformed lines"
# a large log with malformed lines sprinkled in (every 7919th line):
# buckets and malformed line numbers from awk
"$GENLOG" -n 200000 -s 11 | awk 'NR % 7919 == 0 { sub(/delay=.*/, "delay=x") } { print }' > "$T/sprinkled.txt"
want=$(awk -F'delay=' '!/^#/ && $2 ~ /^[0-9]+$/ { c[int($2 / 10000) * 10000]++ }
	END { for (b in c) print b, c[b] }' "$T/sprinkled.txt" | sort -n)
is "$($H -j 1 -f delay --linear 0,90000,10000 "$T/sprinkled.txt" 2>/dev/null | rows | sort -n)" "$want" \
	"large text log with bad lines: buckets equal awk"
is "$($H -j 1 -q -f delay "$T/sprinkled.txt" 2>&1 >/dev/null | sed 's/.*: \([0-9]*\) malformed lines; first: line \([0-9]*\) .*/\1 \2/')" \
	"$(awk '/delay=x/ { n++; if (!f) f = NR } END { print n, f }' "$T/sprinkled.txt")" \
	"... malformed count and first line number equal awk's"
# csv: kvm_stat's -c log (the timestamp holds a blank), a column by name
# or by number, an empty field malformed, detected from "timestamp,".
{
	echo "timestamp,exits,halt_exits,kvm_exit(HLT)"
	echo "2026-12-01 10:00:00,5,0,0"
	echo "2026-12-01 10:00:01,300,1,1"
	echo "2026-12-01 10:00:02, 270 ,,2"
} >"$T/kvm.csv"
like "$($H -f exits "$T/kvm.csv")" '^# count=3 min=5 max=300 avg=191\.7$' "csv: -f NAME, detected from the header (a blank in a value trimmed)"
like "$($H -F csv -f 3 "$T/kvm.csv" 2>"$T/csv.err")" '^# count=2 min=0 max=1 avg=0\.5$' "csv: -f N (1-based)"
like "$(cat "$T/csv.err")" '1 malformed line; first: line 4 \(value is not an integer\)' "csv: an empty field is malformed, said"
like "$($H -f 'kvm_exit(HLT)' "$T/kvm.csv")" '^# count=3 min=0 max=2 avg=1\.0$' "csv: a child event's column"
$H -f nosuch "$T/kvm.csv" >/dev/null 2>"$T/csv.err"
is "$?" 2 "csv: an unknown column is a usage error (exit 2)"
like "$(cat "$T/csv.err")" 'no column of that name in the header line' "... saying so"
# eptsample -H: a log's header as key=value (genlog's binary header:
# pid 4242, rate 10000, start 1 s), a text log's '# eptsample' line, and
# errors for a cut header, a file that is no log and one that is missing.
E=$BIN/eptsample
is "$($E -H "$T/s.bin")" "format=binary pid=4242 freq=10000 types=rwx start_ns=1000000000 version=1 record_size=32" \
	"eptsample -H: a binary log's header"
printf '# eptsample pid=7 freq=300 types=-w- start_ns=555\n# memslot gpa=0x0\nt=1 vcpu=0 gfn=0x1 type=-w- level=1 delay=5\n' >"$T/h.txt"
is "$($E -H "$T/h.txt")" "format=text pid=7 freq=300 types=-w- start_ns=555" "eptsample -H: a text log's header line"
head -c 40 "$T/s.bin" >"$T/cut.bin"
like "$($E -H "$T/cut.bin" 2>&1 >/dev/null)" 'cut.bin: truncated header' "eptsample -H: a cut binary header is named"
$E -H "$T/cut.bin" >/dev/null 2>&1
is $? 1 "... and is an error (exit 1)"
like "$($E -H "$T/s.txt" 2>&1 >/dev/null)" "no binary header and no '# eptsample' line" "eptsample -H: a log without its header line is no eptsample log"
$E -H "$T/nosuch" >/dev/null 2>&1
is $? 1 "eptsample -H: a missing file is an error (exit 1)"
done_testing
