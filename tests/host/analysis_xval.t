#!/usr/bin/env bash
# analysis_xval.t - xval matching by vCPU, frame and time tolerance, and
# its exit status against thresholds; expected counts worked out by hand.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
X=$BIN/xval

cat > "$T/mod.txt" <<'IN'
# module log
t=1000 vcpu=0 gfn=0x10 type=r-- level=1 delay=5
t=5000 vcpu=1 gfn=0x10 type=r-- level=1 delay=5
t=9000 vcpu=0 gfn=0x20 type=-w- level=1 delay=5
t=20000 vcpu=0 gfn=0x30 type=r-- level=1 delay=5
IN
"$GENLOG" --from-text -o "$T/mod.bin" < "$T/mod.txt"
cat > "$T/stap.log" <<'IN'
t=1500 vcpu=0 gfn=0x10 type=r--
t=5200 vcpu=0 gfn=0x10 type=r--
t=9100 vcpu=0 gfn=0x20 type=r--
t=30000 vcpu=0 gfn=0x30 type=r--
IN
# tolerance 1000 ns: stap 1 -> module 1 (500 ns), stap 3 -> module 3;
# stap 2 has no vcpu-0 sample within 1000 ns, stap 4 is 10000 ns off.
out=$($X -t 1000 "$T/mod.txt" "$T/stap.log")
like "$out" '^module=4 stap=4 matched=2 module_unmatched=2 stap_unmatched=2 match_module=50\.00% match_stap=50\.00%' \
	"matched by vCPU, frame and time"
is "$($X -t 1000 "$T/mod.bin" "$T/stap.log")" "$out" "binary module log: same"
like "$($X -t 20us "$T/mod.txt" "$T/stap.log")" ' matched=3 ' "wider tolerance matches stap 4"
like "$($X -t 1000 --match-type "$T/mod.txt" "$T/stap.log")" ' matched=1 ' "--match-type drops the r/w mismatch"
like "$($X -t 1000 --offset -500 "$T/mod.txt" "$T/stap.log")" ' matched=2 ' "--offset shifts SystemTap times"
$X -t 1000 -m 40 "$T/mod.txt" "$T/stap.log" >/dev/null 2>&1; is "$?" 0 "-m 40: pass at 50%"
$X -t 1000 -m 60 "$T/mod.txt" "$T/stap.log" >/dev/null 2>&1; is "$?" 1 "-m 60: exit 1 at 50%"
$X -t 1000 --min-stap 51 "$T/mod.txt" "$T/stap.log" >/dev/null 2>&1; is "$?" 1 "--min-stap 51: exit 1"
like "$($X -t 1000 -v 5 "$T/mod.txt" "$T/stap.log")" '^unmatched stap t=5200 vcpu=0 gfn=0x10 type=r--$' \
	"-v lists unmatched events"
# one module sample can match only one event
printf 't=1000 vcpu=0 gfn=0x10 type=r--\nt=1001 vcpu=0 gfn=0x10 type=r--\n' > "$T/dup.log"
like "$($X -t 1000 "$T/mod.txt" "$T/dup.log")" ' matched=1 ' "each sample matched at most once"
printf 'garbage\nt=1500 vcpu=0 gfn=0x10 type=r--\n' > "$T/bad.log"
like "$($X "$T/mod.txt" "$T/bad.log" 2>&1)" 'bad.log: 1 malformed line; first: line 1' "malformed lines reported"
$X "$T/mod.txt" >/dev/null 2>&1; is "$?" 2 "one log only: usage error"
like "$($X --help)" 'Examples:' "--help has examples"
done_testing
