# lab/lib.sh - helpers shared by the lab scripts (setup, run, stap, build):
# paths, the choice of kernel ABI, and messages. Source it; it runs nothing.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LAB_DIR/.." && pwd)
LAB_CACHE=${LAB_CACHE:-$LAB_DIR/cache}

say() { echo "lab: $*" >&2; }
die() { echo "lab: error: $*" >&2; exit 1; }

# lab_vm_lost LOG: lab/run's output in LOG says the lab VM itself was lost
# while COMMAND ran: its kernel died, or it went silent until the host
# powered it off. Both strike now and then under emulated nested paging
# (docs/experiments.md, "Lab kernel deaths").
lab_vm_lost() {
	grep -q -e 'the VM died while COMMAND ran' -e 'timeout: the VM did not finish' "$1"
}

# lab_vm_lost_reason LOG: how the VM in LOG was lost, in one line: the
# kernel's panic message, else lab/run's own words.
lab_vm_lost_reason() {
	tr -d '\r' <"$1" | grep -m1 -o -e 'Kernel panic - not syncing: .*' \
		-e 'the VM did not finish.*' -e 'the VM died.*'
}

# The TCG thread mode lab/run uses (docs/lab.md, "Single-threaded TCG").
# What in dmesg is a kernel problem (an extended regex): BUG, a WARN()
# splat ("WARNING: CPU: n PID: ..."; lockdep and RCU splats read "WARNING:
# possible ..." / "WARNING: suspicious RCU usage"), Oops, a general
# protection fault, scheduling while atomic, lockdep, KASAN, UBSAN. Boot
# advisories such as "Speculative Return Stack Overflow: WARNING: ..." are
# not problems. The lab VM's init greps for it (lab/initramfs puts it in
# /lab/dmesg-problems), and so does make experiment HOST=1 on a real host.
LAB_DMESG_PROBLEMS='BUG[: ]|^\[[ 0-9.]*\] WARNING: |Oops|general protection|scheduling while atomic|lockdep|possible (circular|recursive) locking|inconsistent lock state|KASAN|UBSAN'

lab_tcg_thread() { echo "${LAB_TCG_THREAD:-single}"; }

# The ABI the lab uses: $LAB_ABI if set, else the one setup chose.
lab_abi() {
	if [ -n "${LAB_ABI:-}" ]; then
		echo "$LAB_ABI"
	elif [ -s "$LAB_CACHE/abi" ]; then
		cat "$LAB_CACHE/abi"
	else
		return 1
	fi
}

# lab_abi_or_die: the ABI, or a clear message that setup has not run.
lab_abi_or_die() {
	lab_abi || die "the lab is not set up: run lab/setup (or make check)"
}

# The newer lab kernel (a 6.12 ABI from bookworm-backports) that setup
# found and unpacked beside the main one; fails when there is none
# (lab/setup, step 7, notes "none" when apt had none).
lab_newer_abi() {
	local abi
	abi=$(cat "$LAB_CACHE/newer-abi" 2>/dev/null) || return 1
	[ -n "$abi" ] && [ "$abi" != none ] && echo "$abi"
}

# Where setup unpacked the lab kernel image package for ABI $1.
lab_kroot() { echo "$LAB_CACHE/kernel/$1"; }

# The kernel build tree (from linux-headers) for ABI $1.
lab_kdir() { echo "/lib/modules/$1/build"; }

# The private SystemTap runtime, if setup had to patch one.
lab_stap_runtime() { echo "$LAB_CACHE/stap-runtime"; }

# What the last lab/setup downloaded: a line "WHAT<tab>SIZE" per apt-get
# download (empty after a warm setup); experiments/run --fresh-machine
# reports it.
lab_fetched_log() { echo "$LAB_CACHE/setup-fetched"; }

# apt-get ... | lab_note_fetched WHAT: pass apt-get's output on to stderr,
# and note the size of its "Fetched 267 MB in 5s (53.4 MB/s)" line (apt
# prints it with -q, not -qq) as WHAT in lab_fetched_log.
lab_note_fetched() {
	awk -v what="$1" -v file="$(lab_fetched_log)" '
		{ print > "/dev/stderr"; fflush("/dev/stderr") }
		/^Fetched [0-9.]+ [kMGT]?B in / { print what "\t" $2 " " $3 >> file }'
}

# True when the host can run the lab VM with KVM acceleration: the CPU has
# vmx or svm, a vendor KVM module is loaded, and /dev/kvm is usable. The
# pagetable-based (PVM) /dev/kvm of our development machines has no
# kvm_intel/kvm_amd module, so it does not count.
lab_host_has_kvm() {
	grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null || return 1
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ] || return 1
	[ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# Parse a size such as 512M, 2G or 1048576K; print it in MiB.
size_to_mib() {
	local s=$1 n u
	n=${s%[KkMmGg]}
	u=${s#"$n"}
	case $n in '' | *[!0-9]*) return 1 ;; esac
	case $u in
	K | k) echo $((n / 1024)) ;;
	M | m | '') echo "$n" ;;
	G | g) echo $((n * 1024)) ;;
	esac
}

# copy_libs STAGE FILE...: copy the shared libraries ldd names for each
# file into STAGE, at the same paths.
copy_libs() {
	local stage=$1 f lib
	shift
	for f in "$@"; do
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$stage$lib" ] && continue
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	done
}

# copy_with_libs STAGE FILE...: copy each file, and its libraries, into
# STAGE at the same paths.
copy_with_libs() {
	local stage=$1 f
	shift
	for f in "$@"; do
		mkdir -p "$stage$(dirname "$f")"
		cp -L "$f" "$stage$f"
	done
	copy_libs "$stage" "$@"
}
