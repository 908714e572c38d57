#!/usr/bin/env bash
# experiments_root_hpa.t - experiments/root-hpa/summarize.awk counts a root
# as its page within one window between zaps of all roots: a page that a
# zap freed and a later root of another CR3 reuses is two roots, one CR3
# each, not one root of two CR3s.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
scratch_dir
cat >"$tmp/run.stap" <<'IN'
change t=1 vcpu=0 x root=a pgd=1 via=load
change t=2 vcpu=1 x root=b pgd=2 via=load
zap t=3
change t=4 vcpu=0 x root=a pgd=2 via=load
change t=5 vcpu=1 x root=c pgd=1 via=load
IN
: >"$tmp/run.guest"
out=$(awk -f experiments/root-hpa/summarize.awk "$tmp/run.stap" "$tmp/run.guest")
like "$out" ' pgds_per_root_max=1 ' "page a, reused after the zap for another CR3, is two roots of one CR3 each"
like "$out" ' roots_per_pgd_max=2 ' "each CR3 had two roots, one per window"
printf 'change t=1 vcpu=0 x root=a pgd=1 via=load\nchange t=2 vcpu=1 x root=a pgd=2 via=load\n' >"$tmp/shared.stap"
like "$(awk -f experiments/root-hpa/summarize.awk "$tmp/shared.stap" "$tmp/run.guest")" ' pgds_per_root_max=2 ' \
	"one root of two CR3s within a window is still counted as such"
done_testing
