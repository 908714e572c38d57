#!/usr/bin/env bash
# kvmstat_metrics.t - kvmstat's metrics output on saved statistics
# (--stats-file blobs in KVM_GET_STATS_FD's format): --openmetrics parsed
# by OpenMetrics' reference parser (python3-prometheus-client, strict),
# --prometheus linted by promtool (lab/setup unpacks it from Debian's
# prometheus package); the values: counters since the VM started, per
# vCPU with --vcpu, gauges for peak and instant, KVM's log and linear
# histograms as cumulative buckets with their bounds in base units; -L
# FILE replaced whole each refresh; bad combinations refused.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
make -s -C kvmstat >/dev/null || skip_all "kvmstat does not build"
K=kvmstat/kvmstat
PY=/usr/bin/python3
PROMTOOL=$EPTSCOPE_ROOT/lab/cache/tools/promtool
scratch_dir
. "$EPTSCOPE_ROOT/tests/lib/kvm_stats_blob.sh"

vcpu_blob 0 7 "1 2 0 0 5" "3 0 1 2" >"$tmp/vcpu0"
vcpu_blob 1 5 "0 0 0 0 1" "0 0 0 0" >"$tmp/vcpu1"
{
	blob "kvm-1234" 3
	desc 2 0 1 0 0 max_mmu_rmap_size
	desc 1 0 1 8 0 pages_4k
	desc $((0x20)) -9 1 16 0 halt_wait_ns	# cumulative, seconds, 10^-9
	u64s 9 100 2500000000
} >"$tmp/vm"
F="--stats-file $tmp/vm --stats-file $tmp/vcpu0 --stats-file $tmp/vcpu1"

# sample NAME{LABELS} in FILE: its value.
sample() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# --- OpenMetrics ----------------------------------------------------------
# shellcheck disable=SC2086
$K $F -1 --openmetrics >"$tmp/om" 2>"$tmp/om.err"; st=$?
is "$st" 0 "--openmetrics -1 exits 0"
is "$(tail -n 1 "$tmp/om")" "# EOF" "... and ends with OpenMetrics' # EOF"
if $PY -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
	parse='
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    print(f.name, f.type, f.unit or "-", len(f.samples))'
	fams=$($PY -c "$parse" "$tmp/om" 2>"$tmp/py.err"); st=$?
	is "$st" 0 "OpenMetrics' reference parser accepts it" || sed 's/^/# /' "$tmp/py.err"
	like "$fams" '^kvm_exits counter - 1$' "exits: a counter"
	like "$fams" '^kvm_halt_wait_seconds counter seconds 1$' "halt_wait_ns: a counter in seconds, the unit in its name"
	like "$fams" '^kvm_halt_wait_hist_seconds histogram seconds 32$' "halt_wait_hist: a histogram of 32 buckets, in seconds"
	like "$fams" '^kvm_max_mmu_rmap_size gauge - 1$' "a peak value: a gauge"
	like "$fams" '^kvm_pages_4k gauge - 1$' "an instant value: a gauge"
	printf '# TYPE x counter\nx 1\n# EOF\n' >"$tmp/bad.om"
	$PY -c "$parse" "$tmp/bad.om" >/dev/null 2>&1
	ge $? 1 "the parser is strict: it refuses a counter sample without _total"
else
	skip 8 "python3-prometheus-client is not installed (lab/host-packages)"
fi
is "$(sample 'kvm_exits_total{source="binary"}' "$tmp/om")" 12 "exits: the sum over the vCPUs, since the VM started"
is "$(sample 'kvm_halt_wait_seconds_total{source="binary"}' "$tmp/om")" 2.5 "2500000000 ns are 2.5 s"
is "$(sample 'kvm_pages_4k{source="binary"}' "$tmp/om")" 100 "an instant value as it is"
# KVM's log buckets: 0 holds 0, i holds [2^(i-1), 2^i - 1] ns.
is "$(sample 'kvm_halt_wait_hist_seconds_bucket{source="binary",le="0"}' "$tmp/om")" 1 "log bucket 0 holds 0 ns"
is "$(sample 'kvm_halt_wait_hist_seconds_bucket{source="binary",le="1e-09"}' "$tmp/om")" 3 "le=1 ns: buckets 0 and 1, cumulative"
is "$(sample 'kvm_halt_wait_hist_seconds_bucket{source="binary",le="7e-09"}' "$tmp/om")" 3 "le=7 ns: nothing in 2..7 ns"
is "$(sample 'kvm_halt_wait_hist_seconds_bucket{source="binary",le="1.5e-08"}' "$tmp/om")" 9 "le=15 ns: bucket 4 (8..15 ns) adds 6"
is "$(sample 'kvm_halt_wait_hist_seconds_bucket{source="binary",le="+Inf"}' "$tmp/om")" 9 "+Inf is every observation"
is "$(grep -c '^kvm_halt_wait_hist_seconds_bucket' "$tmp/om")" 32 "one bucket line per KVM bucket"
# Linear buckets of 10: [0,9] [10,19] [20,29] and the rest.
is "$(sample 'kvm_lin_hist_bucket{source="binary",le="9"}' "$tmp/om")" 3 "linear bucket 0 ends at 9"
is "$(sample 'kvm_lin_hist_bucket{source="binary",le="29"}' "$tmp/om")" 4 "linear buckets, cumulative"
is "$(sample 'kvm_lin_hist_bucket{source="binary",le="+Inf"}' "$tmp/om")" 6 "the last linear bucket holds the rest: +Inf"

# shellcheck disable=SC2086
$K $F -1 --openmetrics --vcpu >"$tmp/omv" 2>&1
is "$(sample 'kvm_exits_total{source="binary",vcpu="vcpu0"}' "$tmp/omv")" 7 "--vcpu: vCPU 0's exits"
is "$(sample 'kvm_exits_total{source="binary",vcpu="vcpu1"}' "$tmp/omv")" 5 "--vcpu: vCPU 1's exits"
is "$(grep -c '^kvm_exits_total' "$tmp/omv")" 2 "--vcpu: no summed series beside the per-vCPU ones"

# --- Prometheus text 0.0.4 ------------------------------------------------
# shellcheck disable=SC2086
$K $F -1 --prometheus --vcpu >"$tmp/prom" 2>&1; st=$?
is "$st" 0 "--prometheus -1 exits 0"
like "$(cat "$tmp/prom")" '^# TYPE kvm_exits_total counter$' "a counter's TYPE names its _total series, as 0.0.4 wants"
unlike "$(cat "$tmp/prom")" '^# (EOF|UNIT)' "no OpenMetrics-only lines"
if [ -x "$PROMTOOL" ]; then
	lint=$("$PROMTOOL" check metrics <"$tmp/prom" 2>&1); st=$?
	is "$st" 0 "promtool check metrics finds nothing to say${lint:+: $lint}"
	printf '# TYPE x counter\nx 1\n' | "$PROMTOOL" check metrics >/dev/null 2>&1
	ge $? 1 "promtool does lint: a counter without _total or HELP fails"
else
	skip 2 "no promtool (lab/setup unpacks it from Debian's prometheus package)"
fi

# --- -L FILE: the file is replaced, not appended to ------------------------
# shellcheck disable=SC2086
$K $F -l -s 0.2 --prometheus -L "$tmp/kvm.prom" 2>"$tmp/L.err" & k=$!
sleep 1.5
kill $k 2>/dev/null
wait $k 2>/dev/null
is "$(grep -c '^# TYPE kvm_exits_total' "$tmp/kvm.prom" 2>/dev/null)" 1 "-L FILE holds one exposition after several refreshes"
is "$(ls "$tmp"/kvm.prom.tmp 2>/dev/null)" "" "... written through FILE.tmp and renamed: no FILE.tmp left"

# --- bad combinations -----------------------------------------------------
for bad in "--openmetrics --json" "--prometheus --openmetrics" "-l -c --openmetrics" "-l -z --prometheus"; do
	# shellcheck disable=SC2086
	$K $F $bad >/dev/null 2>"$tmp/err"; st=$?
	is "$st" 2 "'$bad' is a usage error (exit 2)"
done
# shellcheck disable=SC2086
$K $F -l -s 0.2 --openmetrics -L "$tmp/no/such/dir/kvm.prom" >/dev/null 2>"$tmp/err"; st=$?
is "$st" 1 "-L into a missing folder exits 1"
like "$(cat "$tmp/err")" 'cannot open .*kvm.prom.tmp' "... and names the file"
done_testing
