# kvm_stats_blob.sh - builders of statistics in KVM_GET_STATS_FD's format
# (struct kvm_stats_header, the id, struct kvm_stats_desc with 48-byte
# names, then the data), byte by byte, for kvmstat's --stats-file tests.
# Sourced by tests; writes to stdout.
# le VALUE BYTES: VALUE little-endian; name48 NAME: NAME padded to 48.
le() {
	local v=$1 n=$2 i
	for ((i = 0; i < n; i++)); do
		printf "\\x$(printf %02x $(((v >> (8 * i)) & 255)))"
	done
}
name48() { printf '%s' "$1"; head -c $((48 - ${#1})) /dev/zero; }
# desc FLAGS EXPONENT SIZE OFFSET BUCKET NAME
desc() { le "$1" 4; le $(($2 & 0xffff)) 2; le "$3" 2; le "$4" 4; le "$5" 4; name48 "$6"; }
# blob ID NDESC: the header and id; descriptors and data follow.
blob() { le 0 4; le 48 4; le "$2" 4; le 24 4; le 72 4; le $((72 + 64 * $2)) 4; name48 "$1"; }
u64s() { local v; for v in "$@"; do le "$v" 8; done; }
zeros() { local i; for ((i = 0; i < $1; i++)); do le 0 8; done; }
LOG_HIST_NS=$((4 | 0x20))	# KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS
# vcpu_blob N EXITS "LOG BUCKETS 0-4" "LINEAR BUCKETS": vCPU N's stats:
# exits, halt_wait_hist (32 log buckets, ns), lin_hist (4 buckets of 10).
vcpu_blob() {
	blob "kvm-1234/vcpu-$1" 3
	desc 0 0 1 0 0 exits
	desc $LOG_HIST_NS -9 32 8 0 halt_wait_hist
	desc 3 0 4 264 10 lin_hist
	# shellcheck disable=SC2086
	u64s "$2"; u64s $3; zeros 27; u64s $4
}
