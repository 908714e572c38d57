# tap.sh - TAP helpers shared by every shell test under tests/.
# Source it, call plan N (or nothing, then done_testing), then ok/is/like.
# Each helper prints one TAP line; failures print diagnostics as '# ...'.

_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; _tap_planned=1; }

# ok COND_STATUS DESCRIPTION: pass when the status is 0.
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}

# ge GOT MIN, gt GOT MIN, le GOT MAX, lt GOT MAX DESCRIPTION: pass when
# the integer GOT is at least, greater than, at most, less than the bound
# (as KUNIT_EXPECT_GE ...); a failure prints GOT and what was wanted.
ge() { _tap_int "$1" -ge '>=' "$2" "$3"; }
gt() { _tap_int "$1" -gt '>' "$2" "$3"; }
le() { _tap_int "$1" -le '<=' "$2" "$3"; }
lt() { _tap_int "$1" -lt '<' "$2" "$3"; }
_tap_int() {
	if [ "${1:-x}" "$2" "$4" ] 2>/dev/null; then ok 0 "$5"; else
		ok 1 "$5"; echo "#   got:  '$1'"; echo "#   want: $3 $4"; fi
}

# ok_if 'ARITHMETIC CONDITION' DESCRIPTION: pass when the condition, a
# shell arithmetic expression, holds (is non-zero), as KUNIT_EXPECT_TRUE.
# Write the condition that must hold: ok_if "${n:-0} >= 100" "has samples".
# A failure prints the condition and the value of each name in it; an
# expression that does not evaluate fails.
ok_if() {
	if (($1)) 2>/dev/null; then ok 0 "$2"; else
		ok 1 "$2"; echo "#   false: $1"
		_tap_names=$(printf '%s\n' "$1" | grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u)
		[ -z "$_tap_names" ] || echo "#   where: $(for _tap_v in $_tap_names; do printf '%s=%s ' "$_tap_v" "${!_tap_v}"; done)"
	fi
}

# ok_awk EXPR DESCRIPTION [NAME=VALUE...]: a test line that passes when
# the awk expression EXPR, over the NAMEs (numbers or strings, as awk
# reads them), holds; when it fails, EXPR and the values. For decimals,
# where ok_if's shell arithmetic takes only integers.
ok_awk() {
	local expr=$1 desc=$2 a=() v
	shift 2
	for v in "$@"; do a+=(-v "$v"); done
	if awk "${a[@]}" "BEGIN { exit !($expr) }" 2>/dev/null; then ok 0 "$desc"; else
		ok 1 "$desc"; echo "#   false: $expr"; echo "#   where: $*"
	fi
}

# like TEXT EXTENDED_REGEX DESCRIPTION
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"; echo "#   no line matches /$2/ in:"
		printf '%s\n' "$1" | head -n 20 | sed 's/^/#     /'; fi
}

# unlike TEXT EXTENDED_REGEX DESCRIPTION
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 1 "$3"
		echo "#   unexpected match for /$2/:"
		printf '%s\n' "$1" | grep -E -- "$2" | head -n 5 | sed 's/^/#     /'
	else ok 0 "$3"; fi
}

# lab_required: skip the whole test unless lab/run exists and the lab is
# set up (lab/setup chose a kernel ABI).
lab_required() {
	[ -x "$EPTSCOPE_ROOT/lab/run" ] || skip_all "no lab/run"
	[ -n "$(cat "$EPTSCOPE_ROOT/lab/cache/abi" 2>/dev/null)" ] ||
		skip_all "the lab is not set up (lab/setup)"
}

# lab_newer_required: lab_required, then $newer is the lab's newer kernel
# ABI (6.12, lab/setup's step 7), or the test is skipped.
lab_newer_required() {
	lab_required
	newer=$(lab_newer_abi) ||
		skip_all "no newer lab kernel (lab/setup found no 6.12 ABI in apt's sources)"
}

# lab_suite_on ABI TEST...: each tests/lab/TEST.t again, unchanged, with
# LAB_ABI=ABI (lab/run boots that kernel, make lab and lab/stap build for
# it): one test line per TEST, with its failed lines shown.
lab_suite_on() {
	local abi=$1 t out st
	shift
	for t in "$@"; do
		out=$(LAB_ABI=$abi bash "tests/lab/$t.t" 2>&1)
		st=$?
		ok $st "tests/lab/$t.t passes on $abi ($(grep -c '^ok' <<<"$out") of $(grep -c -e '^ok' -e '^not ok' <<<"$out") checks)"
		[ $st -eq 0 ] || grep -v '^ok' <<<"$out" | head -n 30 | sed 's/^/# /'
	done
}

# lab_run_sh OUT SCRIPT [LAB_RUN_OPTION...]: one lab run of the sh SCRIPT
# (2 vCPUs, 300 s, unless the options say otherwise: lab/run takes the
# last of a repeated option), with $O set to $LAB_OUT; what it writes
# there comes back in OUT, emptied first.
lab_run_sh() {
	local out=$1 script=$2
	shift 2
	rm -rf "$out"
	"$EPTSCOPE_ROOT/lab/run" --vcpus 2 --timeout 300 "$@" --out "$out" -- \
		sh -c "O=\$LAB_OUT; $script"
}

# lab_run_abi OUT ABI SCRIPT [LAB_RUN_OPTION...]: lab_run_sh on kernel ABI.
lab_run_abi() {
	local out=$1 abi=$2 script=$3
	shift 3
	lab_run_sh "$out" "$script" --abi "$abi" "$@"
}

# scratch_dir: a fresh folder in $tmp, removed at exit unless KEEP is set.
scratch_dir() {
	tmp=$(mktemp -d)
	trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
}

# lab_vm_lost_diag LOG WHAT: a diagnostic naming how the lab VM was lost
# (lab/lib.sh, lab_vm_lost).
lab_vm_lost_diag() {
	diag "the lab VM was lost ($(lab_vm_lost_reason "$1")); $2"
}

# lab_run_twice LOG COMMAND...: run COMMAND (a lab run whose lab/run
# output goes to LOG); when it fails because the lab VM was lost, say so
# and run it once more. Returns the status of the run that counts.
lab_run_twice() {
	local log=$1 st
	shift
	"$@"
	st=$?
	if [ $st -ne 0 ] && lab_vm_lost "$log"; then
		lab_vm_lost_diag "$log" "repeating the run once"
		"$@"
		st=$?
	fi
	return $st
}

# lab_run_ok LOG DESCRIPTION COMMAND...: lab_run_twice, then one test
# line for the run, with LOG's tail when it failed; returns its status.
lab_run_ok() {
	local log=$1 desc=$2 st
	shift 2
	lab_run_twice "$log" "$@"
	st=$?
	ok $st "$desc"
	[ $st -eq 0 ] || tail -n 30 "$log" | sed 's/^/# /'
	return $st
}

# lab_retry RUN STRUCK: run the function RUN (a lab run); while it fails
# and the function STRUCK says a known emulation failure caused it (a
# triple fault under emulated NPT, a lost lab VM: docs/workload.md,
# "Known lab problem"), say so and run it again, three tries in all.
# Returns the status of the last try.
lab_retry() {
	local st try
	"$1"
	st=$?
	for try in 2 3; do
		[ $st -ne 0 ] && "$2" || break
		diag "the known emulated-NPT failure struck; try $try"
		"$1"
		st=$?
	done
	return $st
}

# lab_struck LOG FILE...: did a known emulation failure strike the lab
# run whose lab/run output is LOG: a triple fault, or a guest gone before
# a tool attached ("no such process"), in one of the FILEs, or the lab VM
# lost (lab/lib.sh, lab_vm_lost)? For lab_retry.
lab_struck() {
	local log=$1
	shift
	grep -q -e 'triple fault' -e 'no such process' "$@" 2>/dev/null ||
		lab_vm_lost "$log"
}

# lab_result STATUS DESCRIPTION LOG FILE...: the test line of a lab run;
# when it failed, the tail of LOG and the FILEs as diagnostics.
lab_result() {
	local st=$1 desc=$2 log=$3
	shift 3
	ok "$st" "$desc"
	[ "$st" -eq 0 ] || { tail -n 20 "$log"; cat "$@"; } 2>/dev/null | sed 's/^/# /'
}

# exit_said_ok PREFIX STATUS REGEX WHAT: a command whose exit status went
# to PREFIX.st and its output to PREFIX.out (in a lab run) exited STATUS
# and said REGEX: two tests.
exit_said_ok() {
	is "$(cat "$1.st" 2>/dev/null)" "$2" "$4: exit $2"
	like "$(cat "$1.out" 2>/dev/null)" "$3" "... saying: $3"
}

# kv_in KEY [TEXT]: the value of the last KEY=value word in TEXT (or in
# standard input).
kv_in() { if [ $# -ge 2 ]; then printf '%s\n' "$2"; else cat; fi | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n 1; }
# kv_sum KEY: the sum over standard input's lines of each line's last
# KEY=value word (a line without one adds nothing).
kv_sum() { awk -v k="$1=" '{ v = 0; for (i = 1; i <= NF; i++) if (index($i, k) == 1) v = substr($i, length(k) + 1); s += v } END { print s + 0 }'; }
# kv_field KEY FILE: the value of the last KEY=value word in FILE.
kv_field() { kv_in "$1" <"$2"; }

# usage_error_ok MESSAGE COMMAND...: COMMAND exits 2 (a usage error) and
# says MESSAGE (an extended regular expression): two test lines.
usage_error_ok() {
	local msg=$1 out st
	shift
	out=$("$@" 2>&1)
	st=$?
	is "$st" 2 "'$*' exits 2"
	like "$out" "$msg" "... saying: $msg"
}

# help_ok PROGRAM: PROGRAM --help exits 0, has examples and the exit
# codes: three tests. (Its man page against its options: man_pages.t.)
help_ok() {
	local out st
	out=$("$1" --help)
	st=$?
	is "$st" 0 "--help exits 0"
	like "$out" 'Examples:' "--help has examples"
	like "$out" 'Exit status' "--help gives the exit codes"
}

# numa_nodes: how many NUMA nodes this machine has.
numa_nodes() { ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l; }

skip_all() { echo "1..0 # SKIP $1"; exit 0; }

# skip COUNT REASON: COUNT test lines skipped, for REASON.
skip() {
	local i
	for ((i = 0; i < $1; i++)); do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $2"
	done
}

# doc_options FILE [HEADING]: the long options (--name) in the first cell
# of the markdown table rows of FILE, or of its section under the heading
# line HEADING (e.g. "## histo", up to the next heading of its level or
# above), one a line, sorted.
doc_options() {
	awk -v sec="${2:-}" '
	BEGIN { on = sec == ""; split(sec, w, " "); lvl = length(w[1]) }
	sec != "" && /^#+ / {
		split($0, h, " ")
		if ($0 == sec) on = 1
		else if (length(h[1]) <= lvl) on = 0
	}
	on && /^\| *`-/ {
		split($0, c, "|"); cell = c[2]
		while (match(cell, /--[a-z0-9][a-z0-9-]*/)) {
			print substr(cell, RSTART, RLENGTH)
			cell = substr(cell, RSTART + RLENGTH)
		}
	}' "$1" | sort -u
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

done_testing() {
	[ -n "${_tap_planned:-}" ] || echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# The repository root, whatever the caller's working directory.
EPTSCOPE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd)
export EPTSCOPE_ROOT
# lab_vm_lost and the lab's paths.
. "$EPTSCOPE_ROOT/lab/lib.sh"
