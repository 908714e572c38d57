#!/usr/bin/env bash
# analysis_robust.t - no analysis program crashes on bad input: random
# bytes, a truncated binary log, a bad header, an over-long line, NUL
# bytes; malformed input is counted and reported instead.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"

head -c 300000 /dev/urandom > "$T/rand"
for args in "histo" "histo -f delay" "histo -f 2" "histo -F stap" \
	"histo --top 5 -f gfn" "hotness" "hotness -w 1ms"; do
	$BIN/$args "$T/rand" >/dev/null 2>"$T/err"; rc=$?
	! crashed $rc
	ok $? "$args on random bytes: exit $rc, no crash"
done
$BIN/xval "$T/rand" "$T/rand" >/dev/null 2>&1; rc=$?
! crashed $rc
ok $? "xval on random bytes: exit $rc, no crash"

# binary log: truncated last record, bad magic/version, header only
"$GENLOG" -b -n 10 > "$T/s.bin"
head -c $((64 + 32 * 9 + 17)) "$T/s.bin" > "$T/trunc.bin"
err=$($BIN/histo -f delay "$T/trunc.bin" 2>&1 >/dev/null)
like "$err" '1 malformed record; first: record 10 \(truncated record\)' "truncated record reported"
is "$($BIN/histo -f delay "$T/trunc.bin" 2>/dev/null | head -n1 | cut -d' ' -f2)" "count=9" \
	"the 9 whole records are read"
{ head -c 8 "$T/s.bin"; printf '\x09\x00\x00\x00'; tail -c +13 "$T/s.bin"; } > "$T/ver.bin"
$BIN/histo -f delay "$T/ver.bin" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "unsupported version: refused"
like "$(cat "$T/err")" 'unsupported version' "and said so"
head -c 64 "$T/s.bin" > "$T/hdr.bin"
$BIN/hotness "$T/hdr.bin" >/dev/null 2>&1; is "$?" 1 "header only: no samples, exit 1"
head -c 40 "$T/s.bin" > "$T/short.bin"
$BIN/histo -f delay "$T/short.bin" >/dev/null 2>&1; rc=$?
! crashed $rc
ok $? "half a header: exit $rc, no crash"

# an over-long line (2 MiB) between good ones; NUL bytes in a line
{ echo 5; head -c 2097152 /dev/zero | tr '\0' 7; echo; echo 6; printf '1\0002\n'; echo 7; } > "$T/long.txt"
err=$($BIN/histo "$T/long.txt" 2>&1 >/dev/null); rc=$?
is "$rc" 0 "over-long line: run completes"
like "$err" '2 malformed lines; first: line 2 \(line too long\), line 4 \(not an integer\)' \
	"over-long line and NUL byte reported with their line numbers"
is "$($BIN/histo -q "$T/long.txt" 2>/dev/null | rows)" "4 3" "the 3 good lines counted"
# a final line without newline, CRLF line ends
printf '1\r\n2\r\n3' | $BIN/histo -q --linear 0,3,1 > "$T/o.txt" 2>"$T/err"
is "$(rows < "$T/o.txt")" "1 1
2 1
3 1" "CRLF and a last line without newline"
done_testing
