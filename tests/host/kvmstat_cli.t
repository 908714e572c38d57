#!/usr/bin/env bash
# kvmstat_cli.t - kvmstat on a machine without VMs: --help, bad options
# (exit 2), a bad regex (regcomp's message), no such pid, a pid that is
# no VMM, -g by the VMM's -name (both spellings), and saved statistics
# (--stats-file, blobs in KVM_GET_STATS_FD's format built here byte by
# byte): totals, per-vCPU columns, peak and instant values shown as
# values, log and linear histograms drawn, kvm_stat's CSV banner and rows,
# malformed blobs refused; the child events' exit-reason tables, generated
# from the uapi headers, equal to kvm_stat's own (linux-source-6.1).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
make -s -C kvmstat >/dev/null || { echo "1..0 # SKIP kvmstat does not build"; exit 0; }
K=kvmstat/kvmstat
scratch_dir

# --- options -------------------------------------------------------------
out=$($K --help); st=$?
is "$st" 0 "--help exits 0"
like "$out" '^Usage: kvmstat' "--help prints the usage"
like "$out" 'Examples:' "--help has examples"
like "$out" 'Exit status:' "--help gives the exit codes"
for bad in "-q" "-c" "-z" "-s 0" "-s 26" "-s x" "-p 0" "-p abc" "-1 -l" "extra" "--csv --json -l"; do
	# shellcheck disable=SC2086
	$K $bad >/dev/null 2>"$tmp/err"; st=$?
	is "$st" 2 "bad options '$bad' exit 2"
done
like "$($K -c 2>&1)" 'requires -l' "-c without -l says so, as kvm_stat does"
out=$($K -f '(' -1 2>&1); st=$?
is "$st" 2 "a bad regex exits 2"
like "$out" 'not a valid regular expression: .*(paren|\()' "... with regcomp's message"

# --- processes ---------------------------------------------------------------
out=$($K -p 999999999 -1 2>&1); st=$?
[ $st -ne 0 ] && [ $st -ne 2 ]
ok $? "a pid out of range or absent fails (status $st)"
pid=999999
while kill -0 $pid 2>/dev/null; do pid=$((pid + 1)); done
out=$($K -p $pid -1 2>&1); st=$?
is "$st" 1 "a pid that does not exist exits 1"
like "$out" "pid $pid: no such process" "... and says so"
sleep 30 >/dev/null 2>&1 & s=$!
out=$($K -p $s -b -1 2>&1); st=$?
is "$st" 1 "a pid that is no VMM exits 1"
like "$out" "pid $s has no KVM VM open" "... and says so"
# Two "VMMs" by their command lines: bash waiting in read (no child).
mkfifo "$tmp/fifo"
bash -c 'read -r -t 30 <>"$2"' -name vmtest "$tmp/fifo" >/dev/null 2>&1 & n1=$!
bash -c 'read -r -t 30 <>"$2"' -name guest=vm2,debug-threads=on "$tmp/fifo" >/dev/null 2>&1 & n2=$!
sleep 0.3
like "$($K -g vmtest -1 2>&1)" "pid $n1 has no KVM VM open" "-g NAME finds the VMM started with -name NAME"
like "$($K -g vm2 -1 2>&1)" "pid $n2 has no KVM VM open" "-g NAME finds -name guest=NAME,..."
out=$($K -g nosuch -1 2>&1); st=$?
is "$st" 1 "-g with no such guest exits 1"
like "$out" 'no guest named "nosuch"' "... and says so"
kill $s $n1 $n2 2>/dev/null
wait 2>/dev/null
if ! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q 'anon_inode:kvm-vm$'; then
	out=$($K -b -1 2>&1); st=$?
	is "$st" 1 "no VM on this machine: -b exits 1"
	like "$out" 'no KVM VM found|KVM is not available' "... and says why"
fi

# --- saved statistics ---------------------------------------------------------
. "$EPTSCOPE_ROOT/tests/lib/kvm_stats_blob.sh"
vcpu_blob 0 7 "1 2 0 0 5" "3 0 1 2" >"$tmp/vcpu0"
vcpu_blob 1 5 "0 0 0 0 1" "0 0 0 0" >"$tmp/vcpu1"
{
	blob "kvm-1234" 2
	desc 2 0 1 0 0 max_mmu_rmap_size
	desc 1 0 1 8 0 pages_4k
	u64s 9 100
} >"$tmp/vm"
F="--stats-file $tmp/vm --stats-file $tmp/vcpu0 --stats-file $tmp/vcpu1"
# shellcheck disable=SC2086
out=$($K $F -1 -i --vcpu 2>&1); st=$?
is "$st" 0 "--stats-file -1 -i --vcpu succeeds"
row() { printf '%s\n' "$out" | awk -v n="$1" '$1 == n { print $2, $3, $4, $5, $6; exit }'; }
is "$(row exits)" "12 0 binary cumulative " "exits: the sum of the vCPUs, nothing in the second"
is "$(row exits/vcpu0)" "7 0 binary cumulative " "exits of vCPU 0"
is "$(row exits/vcpu1)" "5 0 binary cumulative " "exits of vCPU 1"
is "$(row max_mmu_rmap_size)" "9 - binary peak " "a peak is a value, not a rate"
is "$(row pages_4k)" "100 - binary instant " "an instant value is a value, not a rate"
is "$(row halt_wait_hist)" "9 0 binary log-hist ns" "a log histogram: its count, type and unit (ns: 10^-9 s)"
# The drawn histograms: "LABEL |@@@ COUNT" rows.
bars() { printf '%s\n' "$out" | sed -n "/^$1 (/,/^\$/p" | awk -F'|' 'NF == 2 && $2 ~ /@/ {
	gsub(/ /, "", $1); c = $2; gsub(/[^@]/, "", c); n = $2; gsub(/[@ ]/, "", n)
	printf "%s:%d:%s ", $1, length(c), n }'; }
is "$(bars halt_wait_hist)" "0:1:1 1:2:2 8:6:6 " \
	"halt_wait_hist drawn: KVM's bucket i as SystemTap's 2^(i-1) row, both vCPUs added"
is "$(bars lin_hist)" "0:3:3 20:1:1 30:2:2 " "a linear histogram drawn with its bucket size"
like "$out" 'halt_wait_hist \(binary, log-hist, ns, 9 in the VMs. life\)' "the histogram's title line"
# shellcheck disable=SC2086
out=$($K $F -1 2>&1)
is "$(row exits)" "0 0 binary cumulative " "without -i: counts since kvmstat started"
# shellcheck disable=SC2086
out=$($K $F -1 -f 'exits' 2>&1)
is "$(printf '%s\n' "$out" | awk '{ print $1 }' | tr '\n' ' ')" "exits " "-f matches from the name's start"
# shellcheck disable=SC2086
out=$($K $F -f help 2>&1)
is "$(printf '%s\n' "$out" | tr -d ' ' | tr '\n' ' ')" "exits halt_wait_hist lin_hist max_mmu_rmap_size pages_4k " \
	"-f help lists the fields, sorted, as kvm_stat does"
# shellcheck disable=SC2086
out=$($K $F -1 -i --json 2>&1)
like "$out" '"name":"halt_wait_hist","source":"binary","type":"log-hist","unit":"ns","exponent":-9,"value":9,"delta":0,"buckets":\[1,2,0,0,6,0' \
	"--json gives the buckets"
like "$out" '"name":"lin_hist",.*"bucket_size":10,"buckets":\[3,0,1,2\]' "--json gives a linear histogram's bucket size"
# The CSV log: kvm_stat's banner and rows (timeout ends it with SIGTERM).
# shellcheck disable=SC2086
timeout --preserve-status 2 $K $F -l -c -s 0.2 --vcpu >"$tmp/log.csv" 2>"$tmp/log.err"; st=$?
is "$st" 0 "the CSV log ends cleanly on SIGTERM"
is "$(head -n 1 "$tmp/log.csv")" \
	"timestamp,exits,exits/vcpu0,exits/vcpu1,halt_wait_hist,halt_wait_hist/vcpu0,halt_wait_hist/vcpu1,lin_hist,lin_hist/vcpu0,lin_hist/vcpu1,max_mmu_rmap_size,pages_4k" \
	"the CSV banner: timestamp, the fields sorted, per-vCPU columns after each"
ge "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},0,0,0,0,0,0,0,0,0,9,100$' "$tmp/log.csv")" 1 \
	"CSV rows: deltas for counters, values for peak and instant statistics"
# shellcheck disable=SC2086
timeout --preserve-status 2 $K $F -l -c -z -s 0.2 >"$tmp/z.csv" 2>&1
is "$(wc -l <"$tmp/z.csv" | tr -d ' ')" 1 "-z: no record when no counter changed (instant values aside)"
timeout --preserve-status 2 $K $F -l -s 0.2 >"$tmp/std.log" 2>&1
is "$(head -n 1 "$tmp/std.log")" "exits halt_wait_hist lin_hist max_mmu_rmap_size pages_4k " \
	"the text log's banner is kvm_stat's: names and spaces"
# Malformed blobs.
head -c 100 "$tmp/vcpu0" >"$tmp/short"
out=$($K --stats-file "$tmp/short" -1 2>&1); st=$?
is "$st" 1 "a truncated blob exits 1"
like "$out" 'not KVM binary statistics' "... and says so"
{ blob "kvm-1/vcpu-0" 1; desc 0 0 1 3 0 exits; u64s 1; } >"$tmp/unaligned"
out=$($K --stats-file "$tmp/unaligned" -1 2>&1); st=$?
is "$st" 1 "a descriptor with an unaligned offset is refused"
{ blob "kvm-1/vcpu-0" 1; desc 0 0 0 0 0 exits; u64s 1; } >"$tmp/empty"
out=$($K --stats-file "$tmp/empty" -1 2>&1); st=$?
is "$st" 1 "a descriptor of size 0 is refused"
out=$($K --stats-file /nonexistent -1 2>&1); st=$?
is "$st" 1 "a missing --stats-file exits 1"
like "$out" 'No such file' "... with the system's reason"
# --- --exit-reasons: a mode of its own -------------------------------------
for bad in "--exit-reasons -b" "--exit-reasons -t" "--exit-reasons -l -c" "--exit-reasons --vcpu" \
	"--exit-reasons --openmetrics" "--exit-reasons -f exits"; do
	# shellcheck disable=SC2086
	$K $bad >/dev/null 2>"$tmp/err"; st=$?
	is "$st" 2 "'$bad' is a usage error (exit 2)"
done
like "$(cat "$tmp/err")" 'exit-reasons goes only with' "... saying what it goes with"
for bad in "--check -l" "--check -b" "--check --json" "--check -f exits" "--check -i" "--check --exit-reasons"; do
	# shellcheck disable=SC2086
	$K $bad >/dev/null 2>"$tmp/err"; st=$?
	is "$st" 2 "'$bad' is a usage error (exit 2)"
done
like "$(cat "$tmp/err")" 'check goes only with -p, -g and -s' "... saying what --check goes with"

# --- child events' reason tables, from the uapi headers --------------------
er=$(kvmstat/gen-exit-reasons); st=$?
is "$st" 0 "gen-exit-reasons writes the reason tables"
for want in '{ 0x078, "HLT" }' '{ 0x400, "NPF" }' '{ 0x07b, "IOIO" }' '{ 0x081, "VMMCALL" }' \
	'{ 12, "HLT" }' '{ 48, "EPT_VIOLATION" }' '{ 30, "IO_INSTRUCTION" }' '{ 6, "MMIO" }' '{ 2, "IO" }'; do
	like "$er" "$(printf '%s' "$want" | sed 's/[(){}]/\\&/g')" "the tables have $want, kvm_stat's name for it"
done
unlike "$er" '"(SW|ERR|IO_IN|IO_OUT|HYPERV_SYNIC|XEN_HCALL)"' "no software, error or subcodes among the reasons"
# ... and they are kvm_stat's own tables, name for name and code for code
# (tools/kvm/kvm_stat/kvm_stat of linux-source-6.1, lab/host-packages).
ks=$(tar -xJOf /usr/src/linux-source-6.1.tar.xz linux-source-6.1/tools/kvm/kvm_stat/kvm_stat 2>/dev/null)
# pairs_ks DICT / pairs_ours TABLE: NAME=CODE lines, sorted.
pairs_ks() {
	printf '%s\n' "$ks" | gawk -v t="$1" '$0 ~ "^" t " = [{]" { on = 1; next } on && /^}/ { on = 0 }
	on && match($0, /\x27[A-Z0-9_]+\x27: *(0x[0-9a-fA-F]+|[0-9]+)/) {
		split(substr($0, RSTART, RLENGTH), a, /: */); gsub(/\x27/, "", a[1])
		print a[1] "=" strtonum(a[2]) }' | sort
}
pairs_ours() {
	kvmstat/gen-exit-reasons | gawk -v t="$1" '$0 ~ "^static const struct exit_reason " t "\\[" { on = 1; next }
	on && /^};/ { on = 0 } on { gsub(/[{},"]/, " "); print $2 "=" strtonum($1) }' | sort
}
if [ -n "$ks" ]; then
	for p in "SVM_EXIT_REASONS svm_exit_reasons" "VMX_EXIT_REASONS vmx_exit_reasons" \
		"USERSPACE_EXIT_REASONS user_exit_reasons"; do
		set -- $p
		theirs=$(pairs_ks "$1") ours=$(pairs_ours "$2")
		ge "$(printf '%s\n' "$theirs" | grep -c =)" 30 "kvm_stat's $1 read from linux-source-6.1"
		is "$(comm -3 <(printf '%s\n' "$theirs") <(printf '%s\n' "$ours") | paste -sd' ')" "" \
			"$2 is kvm_stat's $1, name for name and code for code"
	done
else
	skip 6 "no /usr/src/linux-source-6.1.tar.xz (linux-source-6.1, lab/host-packages)"
fi
er=$(kvmstat/gen-exit-reasons /nonexistent 2>&1); st=$?
is "$st" 1 "gen-exit-reasons without the headers exits 1"
like "$er" 'install linux-libc-dev' "... and names the package"
done_testing
