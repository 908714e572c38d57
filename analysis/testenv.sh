# testenv.sh - shared set-up for tests/host/analysis_*.t (sourced after
# tests/lib/tap.sh): brings the programs up to date (make), sets $BIN
# (the programs; $ANALYSIS_BIN overrides it, e.g. for the sanitizer
# build), $GENLOG and a scratch directory $T removed on exit.
BIN=${ANALYSIS_BIN:-$EPTSCOPE_ROOT/analysis}
if [ -z "${ANALYSIS_BIN:-}" ]; then
	make -s -C "$EPTSCOPE_ROOT/analysis" >/dev/null 2>&1 ||
		{ echo "Bail out! cannot build analysis/"; exit 1; }
fi
GENLOG=$EPTSCOPE_ROOT/bench/genlog
make -s -C "$EPTSCOPE_ROOT/bench" genlog >/dev/null 2>&1 ||
	{ echo "Bail out! cannot build bench/genlog"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/analysis-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LC_ALL=C

# crashed STATUS: true if a program died from a signal (ASan exits 1,
# so sanitizer reports are caught by their message instead).
crashed() { [ "$1" -ge 128 ]; }

# rows: the non-empty rows of a printed histogram as "label count".
rows() {
	awk -F'|' 'NF == 2 && $1 !~ /value/ {
		gsub(/ /, "", $1); n = split($2, a, " ");
		if (a[n] > 0) print $1, a[n] }'
}

# Sanitized builds (make -C analysis sanitize): make any report exit 134
# so that crashed() and the exit-status checks catch it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=134:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=134:print_stacktrace=1}

# man_missing HELP MAN: the long options of the --help text in file HELP
# that the man page MAN does not name as roff writes them (\-\-opt\-name).
man_missing() {
	grep -o -- '--[a-z][a-z0-9-]*' "$1" | sort -u | while read -r o; do
		grep -qF -- "$(sed 's/-/\\-/g' <<<"$o")" "$2" || echo "$o"
	done
}
