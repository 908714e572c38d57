# experiments/lib.sh - what every experiment shares: its results folder,
# lab runs, checks that fail loudly, headline figures, plots, bounded raw
# logs, and the README with the provenance (command, kernel ABI, QEMU
# version, date). Source it from experiments/NAME/run; it runs nothing by
# itself. experiments/run sources it too, for the provenance and the
# failed checks of a README.
#
# An experiment's run script (started by experiments/run, which sets
# EXP_RESULTS_ROOT, the folder the results go to):
#   . "$(dirname "$0")/../lib.sh"
#   exp_init                                  # $EXP_RESULTS_ROOT/NAME/ made empty
#   exp_lab --shadow --vcpus 2 -- 'sh commands run in the lab VM'
#   ...                                       # $EXP_OUT holds $LAB_OUT
#   exp_claim "the claim, in words" COMMAND ...  # holds when COMMAND exits 0
#   exp_figure loads_per_switch 1.00 loads 0.05 "what it is"   # figures.tsv
#   exp_plot experiments/NAME/plot.gp         # PNGs into the results folder
#   exp_body <<'EOF' ... EOF                  # table and findings (markdown)
#   exp_finish                                # README.md; status = checks
#
# EXP_REPLAY=DIR (a run's work folder, kept with KEEP=1: its out/ and
# lab.N.log) runs the analysis again on that run's raw outputs: no lab
# run, and the README says where the data came from. It is how a change
# to the analysis is checked to give the same figures from the same logs.

EXP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$EXP_ROOT/lab/lib.sh"
export LC_ALL=C

# Largest raw file exp_keep copies whole into the results folder (bytes);
# a larger one is cut there, and kept whole as NAME.xz when that is at most
# EXP_XZ_MAX bytes, so that every figure can be recomputed from results/.
EXP_KEEP_MAX=${EXP_KEEP_MAX:-262144}
EXP_XZ_MAX=${EXP_XZ_MAX:-8388608}

exp_say() { echo "[$EXP_NAME] $*" >&2; }

# exp_path PATH: PATH relative to the repository when it lies inside it,
# for messages.
exp_path() { echo "${1#"$EXP_ROOT"/}"; }

# exp_init: the experiment's name from its folder, an empty
# $EXP_RESULTS_ROOT/NAME/ (EXP_RESULTS_ROOT is the one way to say where
# results go: experiments/run sets it to its staging or --out folder, so
# that no experiment writes into results/ by itself), a scratch folder
# $EXP_WORK (removed at exit unless KEEP=1).
exp_init() {
	local script=${BASH_SOURCE[1]}
	EXP_DIR=$(cd "$(dirname "$script")" && pwd)
	EXP_NAME=$(basename "$EXP_DIR")
	if [ -z "${EXP_RESULTS_ROOT:-}" ]; then
		exp_say "EXP_RESULTS_ROOT is not set: run experiments through experiments/run (make experiment E=$EXP_NAME, or OUT=DIR for a scratch run)"
		exit 2
	fi
	mkdir -p "$EXP_RESULTS_ROOT" && EXP_RESULTS_ROOT=$(cd "$EXP_RESULTS_ROOT" && pwd) || exit 1
	EXP_RESULTS=$EXP_RESULTS_ROOT/$EXP_NAME
	EXP_FIGURES=$EXP_RESULTS/figures.tsv
	EXP_WORK=$(mktemp -d "${TMPDIR:-/tmp}/eptscope-$EXP_NAME.XXXXXX")
	EXP_OUT=$EXP_WORK/out
	EXP_CHECKS=$EXP_WORK/checks
	EXP_BODY=$EXP_WORK/body.md
	EXP_FAILED=0
	EXP_START=$(date +%s)
	EXP_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
	export EXP_NAME EXP_DIR EXP_RESULTS EXP_WORK EXP_OUT
	rm -rf "$EXP_RESULTS"
	mkdir -p "$EXP_RESULTS" "$EXP_OUT"
	: >"$EXP_CHECKS"
	: >"$EXP_BODY"
	EXP_LAB_ARGS=()
	EXP_RETRIES=()
	[ -n "${KEEP:-}" ] || trap 'rm -rf "$EXP_WORK"' EXIT
	cd "$EXP_ROOT" || exit 1
	if [ -n "${EXP_REPLAY:-}" ]; then
		[ -d "$EXP_REPLAY/out" ] || { exp_say "EXP_REPLAY=$EXP_REPLAY: no out/ folder (a work folder a KEEP=1 run left)"; exit 2; }
		cp -a "$EXP_REPLAY/out/." "$EXP_OUT/" && cp -a "$EXP_REPLAY"/lab.*.log "$EXP_WORK/" 2>/dev/null
		exp_say "replaying the raw outputs of $EXP_REPLAY: no lab run"
	elif exp_on_host; then
		exp_host_ready || exit 1
	else
		lab_abi >/dev/null || { exp_say "the lab is not set up: run make experiment (or lab/setup)"; exit 1; }
	fi
}

# exp_on_host: this run captures on the host's own KVM (experiments/run
# --host, make experiment HOST=1), not in the lab VM.
exp_on_host() { [ "${EXP_HOST:-0}" = 1 ]; }

# exp_host_ready: what a host run needs, each missing piece said: root, a
# usable /dev/kvm, and kmod/kvm_ept_sample.ko built for this kernel.
# EXP_HOST_REQUIRE_KVM=0 leaves those checks out: for tests of the host
# path on a machine without KVM (tests/host/experiments_run.t).
exp_host_ready() {
	local vermagic
	[ "${EXP_HOST_REQUIRE_KVM:-1}" = 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		exp_say "a host run needs root (to load the module and run the guests)"
		return 1
	fi
	if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		exp_say "a host run needs a usable /dev/kvm, and this machine has $([ -e /dev/kvm ] && echo 'one it cannot open' || echo 'none (no VT-x/AMD-V, or kvm_intel/kvm_amd not loaded)')"
		return 1
	fi
	vermagic=$(modinfo -F vermagic kmod/kvm_ept_sample.ko 2>/dev/null | awk '{ print $1 }')
	if [ "$vermagic" != "$(uname -r)" ]; then
		exp_say "a host run needs kmod/kvm_ept_sample.ko built for $(uname -r), not ${vermagic:-absent}: install linux-headers-$(uname -r), then make all"
		return 1
	fi
}

# exp_host_run LOG [lab/run options] -- COMMAND: what exp_lab does on a
# host run: COMMAND runs here, in the repository, with LAB_OUT=$EXP_OUT,
# under the --timeout given; dmesg's new lines are checked with the lab's
# pattern (LAB_DMESG_PROBLEMS: exit 125, as lab/run), and the module is
# unloaded after if COMMAND loaded it. The lab VM's size (--vcpus, --mem)
# means nothing here; --shadow and --numa need the lab, and fail (70).
exp_host_run() {
	local log=$1 timeout=600 loaded=0 before st problems
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		--timeout) timeout=$2; shift ;;
		--vcpus | --mem) shift ;;
		*) echo "exp_lab $1: needs the lab VM, not a host run" >"$log"; return 70 ;;
		esac
		shift
	done
	shift
	grep -qs '^kvm_ept_sample ' /proc/modules && loaded=1
	before=$(dmesg 2>/dev/null | wc -l)
	(export LAB_OUT=$EXP_OUT; timeout -k 10 "$timeout" sh -c "$1") >"$log" 2>&1
	st=$?
	if [ $loaded = 0 ] && grep -qs '^kvm_ept_sample ' /proc/modules; then
		rmmod kvm_ept_sample >>"$log" 2>&1 || { [ $st -ne 0 ] || st=125; }
	fi
	problems=$(dmesg 2>/dev/null | tail -n +$((before + 1)) | grep -E "$LAB_DMESG_PROBLEMS")
	if [ -n "$problems" ]; then
		echo "$problems" | sed 's/^/dmesg: /' >>"$log"
		[ $st -ne 0 ] || st=125
	fi
	return $st
}

# exp_lab [lab/run options] -- 'COMMAND': one lab run. COMMAND (a shell
# script, run with sh -c) runs in the repo inside the lab VM; files it writes to $LAB_OUT come back in
# $EXP_OUT. The console goes to $EXP_WORK/lab.N.log. Each call's options
# are remembered for the README. On failure the experiment stops, loudly.
exp_lab() {
	local n=0 st
	while [ -e "$EXP_WORK/lab.$n.log" ]; do n=$((n + 1)); done
	local log=$EXP_WORK/lab.$n.log args=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	if [ -n "${EXP_REPLAY:-}" ]; then
		EXP_LAB_ARGS+=("lab/run ${args[*]} -- … (replayed from $EXP_REPLAY)")
		return 0
	fi
	if exp_on_host; then
		EXP_LAB_ARGS+=("on this host: sh -c … (exp_lab ${args[*]})")
		exp_say "host run $n (in place of lab/run ${args[*]})"
		exp_host_run "$log" "${args[@]}" -- "$1"
		st=$?
	else
		EXP_LAB_ARGS+=("lab/run ${args[*]} -- …")
		exp_say "lab run $n: lab/run ${args[*]}"
		lab/run --out "$EXP_OUT" "${args[@]}" -- sh -c "$1" >"$log" 2>&1
		st=$?
	fi
	# A lost lab VM (lab/lib.sh, lab_vm_lost) is repeated once, and the
	# README says so, with the console kept.
	if ! exp_on_host && lab_vm_lost "$log"; then
		exp_keep "$log" "lab.$n.died.log"
		EXP_RETRIES+=("lab run $n: the lab VM was lost ($(lab_vm_lost_reason "$log")); repeated once; console in lab.$n.died.log")
		exp_say "lab run $n: the lab VM was lost; repeating it once"
		lab/run --out "$EXP_OUT" "${args[@]}" -- sh -c "$1" >"$log" 2>&1
		st=$?
	fi
	if [ $st -ne 0 ]; then
		exp_say "lab run $n failed (exit $st); the last lines of its console:"
		tail -n 25 "$log" | sed 's/^/    /' >&2
		exp_keep "$log" "lab.$n.failed.log"
		exp_say "the whole console: $(exp_path "$EXP_RESULTS/lab.$n.failed.log")"
		exp_fail "lab run $n (lab/run ${args[*]}) succeeds (exit $st)"
		exp_finish
		exit 1
	fi
	return 0
}

# exp_check STATUS "CLAIM": records the claim; STATUS 0 (or "yes"/"true")
# holds, anything else contradicts it. Every check goes into the README.
# A condition is exp_claim's; exp_check is for a status already counted
# (a loop's ok=0 ... || ok=1).
exp_check() {
	local st=$1 claim=$2
	case $st in 0 | yes | true) st=0 ;; esac
	if [ "$st" = 0 ]; then
		echo "- [x] $claim" >>"$EXP_CHECKS"
		exp_say "ok: $claim"
	else
		exp_fail "$claim"
	fi
}

# exp_claim "CLAIM" COMMAND [ARG...]: the claim holds when COMMAND exits 0
# (test/[, exp_awk_true, grep, a function...), as the selftests'
# TEST_ASSERT: write the condition that must hold. One argument after the
# claim is a condition of shell code, for one made of several commands
# ('[ "$a" -ge 1 ] && ! grep -q ERROR "$log"'), evaluated as shunit2's
# assertTrue does. Either runs in a subshell, so that a bad value fails the
# check, not the experiment; a failure prints the condition on stderr.
exp_claim() {
	local _exp_claim=$1 _exp_st
	shift
	if [ $# -eq 1 ]; then (eval "$1"); else ("$@"); fi
	_exp_st=$?
	[ $_exp_st -eq 0 ] || echo "[$EXP_NAME] the condition: $([ $# -eq 1 ] && echo "$1" || printf '%q ' "$@")" >&2
	exp_check $_exp_st "$_exp_claim"
}

# exp_fail "CLAIM": a claim the data contradicts.
exp_fail() {
	echo "$EXP_FAILED_MARK$1" >>"$EXP_CHECKS"
	echo "[$EXP_NAME] CHECK FAILED: $1" >&2
	EXP_FAILED=$((EXP_FAILED + 1))
}

# How a failed check starts its line in the README's list of checks, and
# exp_failed_checks README: the claims that failed there, one a line.
EXP_FAILED_MARK='- [ ] **FAILED:** '
exp_failed_checks() {
	local line
	[ -f "$1" ] || return 0
	while IFS= read -r line; do
		case $line in "$EXP_FAILED_MARK"*) echo "${line#"$EXP_FAILED_MARK"}" ;; esac
	done <"$1"
}

# exp_figure NAME VALUE UNIT TOLERANCE "DESCRIPTION": a headline figure of
# this run, for experiments/compare: one line of figures.tsv in the results
# folder (after its provenance). TOLERANCE is how far another run may lie
# from it and still agree: absolute (0.05) or relative to the reference
# (10%). UNIT is one word ("-" for none). A figure that is not a number,
# or is given twice, is a failed check.
exp_figure() {
	local name=$1 value=$2 unit=${3:--} tol=$4 desc=$5
	local num='^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$'
	if ! [[ $name =~ ^[a-z][a-z0-9_.-]*$ ]]; then
		exp_fail "exp_figure: figure name '$name' is made of a-z, 0-9, _ . - (starting with a letter)"
	elif ! [[ $value =~ $num ]]; then
		exp_fail "exp_figure $name: the value '$value' is a number"
	elif ! [[ $tol =~ ^[0-9]+([.][0-9]+)?%?$ ]]; then
		exp_fail "exp_figure $name: the tolerance '$tol' is a number, or a number and % (relative)"
	elif [[ $unit =~ [[:space:]] ]] || [ -z "$desc" ] || [[ $desc =~ [[:cntrl:]] ]]; then
		exp_fail "exp_figure $name: the unit is one word and the description one non-empty line"
	elif [ -f "$EXP_FIGURES" ] && cut -f 1 "$EXP_FIGURES" | grep -qxF "$name"; then
		exp_fail "exp_figure $name: each figure is recorded once"
	else
		[ -f "$EXP_FIGURES" ] || {
			echo "# Figures of experiments/$EXP_NAME/run (experiments/compare reads them)"
			echo "# Date: $EXP_DATE"
			exp_provenance | sed 's/^/# /'
			printf '# name\tvalue\tunit\ttolerance\tdescription\n'
		} >"$EXP_FIGURES"
		printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$value" "$unit" "$tol" "$desc" >>"$EXP_FIGURES"
		exp_say "figure $name = $value $unit (tolerance $tol)"
	fi
}

# exp_ratio A B [DECIMALS]: A / B (3 decimals unless told), nothing when B
# is 0 (exp_figure then fails: the figure could not be measured).
exp_ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { if (b + 0 != 0) printf "%." d "f\n", a / b }'
}

# exp_awk_true 'AWK CONDITION' [-v var=value ...]: 0 when the condition on
# the given numbers holds (for decimals the shell cannot compare).
exp_awk_true() {
	local cond=$1
	shift
	awk "$@" "BEGIN { exit !($cond) }" </dev/null
}

# Text helpers of the run scripts:
# kv KEY: the value of the first KEY=VALUE token of the line on stdin.
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }'; }
# fmt X [DECIMALS]: X with DECIMALS (default 2) decimals, "-" when missing or nan.
fmt() { awk -v x="$1" -v d="${2:-2}" 'BEGIN { if (x == "" || x == "nan") print "-"; else printf "%.*f", d, x }'; }
# trim TEXT: TEXT without a leading space and a trailing ";" or ",".
trim() { local t=${1# }; t=${t%;}; echo "${t%,}"; }
# v NAME: the value a run script stored in its array V (declare -A V),
# 0 when it stored none.
v() { echo "${V[$1]:-0}"; }

# exp_body: append markdown from stdin to the README's body.
exp_body() { cat >>"$EXP_BODY"; }

# exp_keep FILE [NAME]: copy a raw log or summary into the results folder.
# One larger than EXP_KEEP_MAX bytes is cut there at a line boundary, for
# reading, and kept whole as NAME.xz (xz -6) when that is at most
# EXP_XZ_MAX bytes; the cut file's last line says which.
exp_keep() {
	local src=$1 name=${2:-$(basename "$1")}
	local dst=$EXP_RESULTS/$name size whole
	[ -f "$src" ] || { exp_fail "raw file $src exists"; return 1; }
	size=$(stat -c %s "$src")
	if [ "$size" -le "$EXP_KEEP_MAX" ]; then
		cp "$src" "$dst"
		return 0
	fi
	head -c "$EXP_KEEP_MAX" "$src" | sed '$d' >"$dst"
	if xz -6 -T1 -c "$src" >"$dst.xz" 2>/dev/null &&
	   [ "$(stat -c %s "$dst.xz")" -le "$EXP_XZ_MAX" ]; then
		whole="the whole file: $name.xz"
	else
		rm -f "$dst.xz"
		whole="not kept whole: over $EXP_XZ_MAX bytes compressed"
	fi
	echo "# [cut by experiments/lib.sh: first $(wc -l <"$dst") lines of $(wc -l <"$src"), $size bytes in all; $whole]" >>"$dst"
}

# exp_plot FILE.gp [--for WHAT] [gnuplot -e definitions]: run a gnuplot
# script in the results folder with `data` set to the scratch output folder.
# The script sets its own PNG outputs (relative names land in the results
# folder). WHAT names the plot in the check, for a script drawn more than once.
exp_plot() {
	local gp=$1 what=
	shift
	if [ "${1:-}" = --for ]; then
		what=" for $2"
		shift 2
	fi
	(cd "$EXP_RESULTS" && gnuplot -e "out='$EXP_OUT'" "$@" "$EXP_ROOT/$gp") 2>"$EXP_WORK/gnuplot.err"
	local st=$?
	[ $st -eq 0 ] || sed 's/^/    gnuplot: /' "$EXP_WORK/gnuplot.err" >&2
	exp_check $st "gnuplot draws $(basename "$gp")$what"
}

# The source revision that ran: the commit, "-dirty" when files other than
# results/ differ from it (a run rewrites results/ itself).
exp_source_rev() {
	local rev
	rev=$(git -C "$EXP_ROOT" rev-parse --short HEAD 2>/dev/null) || { echo 'not a git tree'; return; }
	[ -z "$(git -C "$EXP_ROOT" status --porcelain -- . ':!results' 2>/dev/null)" ] || rev=$rev-dirty
	echo "$rev"
}

# The host the lab ran on.
exp_host() {
	echo "$(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
}

# The QEMU the lab uses, and how it accelerates.
exp_qemu_version() { qemu-system-x86_64 --version 2>/dev/null | head -n 1; }
exp_lab_accel() {
	if exp_on_host; then
		echo "none: the captures ran on this host's own KVM, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1) (hardware figures)"
	elif lab_host_has_kvm; then echo "KVM (a real host)"; else echo "TCG, thread=$(lab_tcg_thread) (emulated CPU with emulated SVM/NPT: lab figures)"; fi
}

# The provenance every README and figures file carries, one "Key: value"
# a line: the kernel ABI, the QEMU version, the host, the source revision.
exp_provenance() {
	if exp_on_host; then
		echo "Kernel (this host, a host run): $(uname -r)"
		echo "QEMU: not used (a host run)"
	else
		echo "Kernel ABI (lab guest kernel): $(lab_abi 2>/dev/null || echo unknown)"
		echo "QEMU: $(exp_qemu_version)"
	fi
	echo "Host: $(exp_host)"
	echo "Source: $(exp_source_rev)"
}

# exp_finish: write README.md in the results folder (title, a FAILED
# banner when a check failed, provenance, body, figures, plots, checks) and
# return non-zero when any check failed.
exp_finish() {
	local readme=$EXP_RESULTS/README.md title png
	title=$(sed -n 's/^# *title: *//p' "$EXP_DIR/run" | head -n 1)
	{
		echo "# $EXP_NAME: ${title:-experiment}"
		echo
		if [ "$EXP_FAILED" -gt 0 ]; then
			echo "**FAILED: $EXP_FAILED check(s) failed; the data contradicts these claims:**"
			echo
			exp_failed_checks "$EXP_CHECKS" | sed 's/^/- /'
			echo
		fi
		if exp_on_host; then
			echo "**A host run: hardware figures.** The captures ran on this host's own KVM ($(exp_lab_accel | sed 's/^none: the captures ran on this host.s own KVM, //; s/ (hardware figures)$//'), Linux $(uname -r)), not in the lab VM; where the text below speaks of the lab or TCG, it describes the lab's runs, not this one."
			echo
		fi
		echo "Written by \`experiments/$EXP_NAME/run\` (docs/experiments.md says how to read it)."
		echo
		echo "- Command: \`make experiment E=$EXP_NAME$(exp_on_host && echo ' HOST=1')\`"
		echo "- $(exp_on_host && echo 'Host runs (hardware figures)' || echo 'Lab runs'): $(printf '`%s`; ' "${EXP_LAB_ARGS[@]}" | sed 's/; $//')"
		echo "- Acceleration: $(exp_lab_accel)"
		echo "- Date: $EXP_DATE; took $(($(date +%s) - EXP_START)) s"
		[ -z "${EXP_REPLAY:-}" ] || echo "- **Replayed:** the raw outputs of an earlier run ($EXP_REPLAY, EXP_REPLAY=), analysed again; no lab run"
		exp_provenance | sed 's/^/- /'
		echo
		cat "$EXP_BODY"
		echo
		if [ -f "$EXP_FIGURES" ]; then
			echo "## Headline figures"
			echo
			echo "Recorded in figures.tsv; \`experiments/compare\` checks another run against them."
			echo
			echo "| figure | value | unit | tolerance | what it is |"
			echo "|---|---:|---|---|---|"
			grep -v '^#' "$EXP_FIGURES" | awk -F '\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
			echo
		fi
		if [ ${#EXP_RETRIES[@]} -gt 0 ]; then
			echo "## Lab runs repeated"
			echo
			printf -- '- %s\n' "${EXP_RETRIES[@]}"
			echo
		fi
		for png in "$EXP_RESULTS"/*.png; do
			[ -e "$png" ] || continue
			echo "![$(basename "$png" .png)]($(basename "$png"))"
			echo
		done
		echo "## Checks"
		echo
		cat "$EXP_CHECKS"
		if [ "$EXP_FAILED" -gt 0 ]; then
			echo
			echo "**$EXP_FAILED check(s) FAILED: the data contradicts the claim.**"
		fi
	} >"$readme"
	if [ "$EXP_FAILED" -gt 0 ]; then
		exp_say "$EXP_FAILED check(s) FAILED ($(exp_path "$readme"))"
		return 1
	fi
	exp_say "all $(grep -c '^- \[x\]' "$EXP_CHECKS") checks hold ($(exp_path "$readme"))"
	return 0
}
