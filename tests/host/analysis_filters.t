#!/usr/bin/env bash
# analysis_filters.t - the record filters (lib/filter.c) in histo,
# hotness and xval: --no-expired, --expired-only, --vcpu, --type,
# --from/--to, on text and binary logs alike; each answer against awk
# filtering the same text log.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
H=$BIN/histo HN=$BIN/hotness X=$BIN/xval

# 4000 samples, every 5th an expiry record
"$GENLOG" -n 4000 -s 13 | awk '!/^#/ && NR % 5 == 0 { $0 = $0 " expired=1" } { print }' > "$T/s.txt"
"$GENLOG" --from-text -o "$T/s.bin" < "$T/s.txt"
t0=$(grep -v '^#' "$T/s.txt" | head -n 1 | sed 's/^t=\([0-9]*\) .*/\1/')

# awk_sel COND: the text log's samples for which COND holds (awk, with
# t, vcpu, type, ex set from the line)
awk_sel() {
	awk -v t0="$t0" '!/^#/ { split($1, a, "="); t = a[2] - t0;
		split($2, a, "="); vcpu = a[2]; split($4, a, "="); type = a[2];
		ex = / expired=1$/; if ('"$1"') print }' "$T/s.txt"
}
# delay buckets of 10000 ns
buckets() { awk -F'delay=' '{ split($2, a, " "); c[int(a[1] / 10000) * 10000]++ }
	END { for (b in c) print b, c[b] }' | sort -n; }
hrows() { $H -q -f delay --linear 0,90000,10000 "$@" | rows | sort -n; }

for f in s.txt s.bin; do
	is "$(hrows --no-expired "$T/$f")" "$(awk_sel '!ex' | buckets)" "histo --no-expired on $f = awk"
	is "$(hrows --expired-only "$T/$f")" "$(awk_sel 'ex' | buckets)" "histo --expired-only on $f = awk"
	is "$(hrows --vcpu 2 "$T/$f")" "$(awk_sel 'vcpu == 2' | buckets)" "histo --vcpu 2 on $f = awk"
	is "$(hrows --type w "$T/$f")" "$(awk_sel 'type ~ /w/' | buckets)" "histo --type w on $f = awk"
	is "$(hrows --type rx "$T/$f")" "$(awk_sel 'type ~ /[rx]/' | buckets)" "histo --type rx on $f = awk"
	is "$(hrows --from 1ms --to 3000000 "$T/$f")" "$(awk_sel 't >= 1000000 && t < 3000000' | buckets)" \
		"histo --from 1ms --to 3000000 on $f = awk"
	is "$(hrows --no-expired --vcpu 1 --type r --from 500us "$T/$f")" \
		"$(awk_sel '!ex && vcpu == 1 && type ~ /r/ && t >= 500000' | buckets)" "histo, filters combined, on $f = awk"
	is "$($H -q --top 5 -f gfn --no-expired --vcpu 3 "$T/$f" | rows)" \
		"$($H -q --top 5 -f gfn <(awk_sel '!ex && vcpu == 3') | rows)" "histo --top with filters on $f"
done
like "$(hrows -f vcpu --top 9 --vcpu 7 "$T/s.txt" 2>&1)" 'no values read \(after the record filters\)' \
	"histo: nothing left after the filters, said so"
printf '1\n2\n' > "$T/num.txt"
$H --vcpu 1 "$T/num.txt" >/dev/null 2>"$T/err"; is "$?" 2 "histo: a filter on input without records: exit 2"
like "$(cat "$T/err")" 'record filters .* need a sample log' "... said so"
$H --no-expired --expired-only -f delay "$T/s.txt" >/dev/null 2>&1; is "$?" 2 "--no-expired with --expired-only: exit 2"

# --- hotness: a filtered log ranks as the log filtered by awk ------------
{ grep '^#' "$T/s.txt"; awk_sel '!ex && vcpu == 1'; } > "$T/v1.txt"
for f in s.txt s.bin; do
	is "$($HN --t0 "$t0" -e count -k 10 --no-expired --vcpu 1 "$T/$f")" \
		"$($HN --t0 "$t0" -e count -k 10 "$T/v1.txt")" "hotness --no-expired --vcpu 1 on $f = on awk's selection"
	like "$($HN -q --no-expired "$T/$f")" ' expired=0$' "hotness --no-expired on $f: no expiry records counted"
	like "$($HN -q --expired-only -e delay "$T/$f" 2>/dev/null)" " samples=0 .* expired=$(awk_sel ex | wc -l)$" \
		"hotness --expired-only on $f: only the expiry records"
done
like "$($HN -q -w 1ms --from 2ms "$T/s.bin")" "^window=0 start_ns=$((t0 + 2000000)) end_ns=$((t0 + 3000000)) samples=$(awk_sel '!ex && t >= 2000000 && t < 3000000' | wc -l) " \
	"hotness --from 2ms: windows start there, counts = awk"
is "$($HN -q --to 2ms "$T/s.txt" | head -n 1 | sed 's/.* samples=\([0-9]*\) .*/\1/')" \
	"$(awk_sel '!ex && t < 2000000' | wc -l)" "hotness --to 2ms: samples = awk"
is "$($HN -q -u 2ms "$T/s.txt" | head -n 1 | sed 's/.* samples=\([0-9]*\) .*/\1/')" \
	"$(awk_sel '!ex && t < 2000000' | wc -l)" "hotness -u 2ms still works (= --to 2ms)"
$HN --vcpu 1 -D "$T/s.txt" >/dev/null 2>&1; is "$?" 2 "hotness: filters with --damon: exit 2"

# --- xval: both sides filtered ----------------------------------------------
awk_sel '!ex' | awk '{ print $1, $2, $3, $4 }' > "$T/stap.log"
for f in s.txt s.bin; do
	n=$(awk_sel '!ex && vcpu == 0' | wc -l)
	like "$($X --vcpu 0 "$T/$f" "$T/stap.log")" "^module=$n stap=$n matched=$n " "xval --vcpu 0 on $f: awk's count on both sides"
	n=$(awk_sel '!ex && t >= 1000000 && t < 2500000 && type ~ /x/' | wc -l)
	like "$($X --from 1ms --to 2500us --type x "$T/$f" "$T/stap.log")" "^module=$n stap=$n matched=$n " \
		"xval --from --to --type on $f: awk's count"
done
$X --expired-only "$T/s.txt" "$T/stap.log" >/dev/null 2>&1; is "$?" 2 "xval --expired-only: exit 2"
$X --vcpu 9 "$T/s.txt" "$T/stap.log" >/dev/null 2>"$T/err"; is "$?" 1 "xval: nothing left after the filters: exit 1"
like "$(cat "$T/err")" 'after the record filters' "... said so"
done_testing
