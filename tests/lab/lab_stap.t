#!/usr/bin/env bash
# lab_stap.t - a SystemTap script compiled on the host (lab/stap) runs in
# the lab under staprun and sees kvm_mmu_load fire for a tiny guest; the
# compiled module is cached by content.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

mod=$(lab/stap tests/stp/mmu_load_count.stp)
ok $? "lab/stap compiles tests/stp/mmu_load_count.stp"
like "$mod" '^build/stap/stap_[0-9a-f]{16}\.ko$' "it prints a module path relative to the root"
[ -s "$mod" ]
ok $? "the module exists"

before=$(stat -c %Y.%i "$mod")
again=$(lab/stap tests/stp/mmu_load_count.stp)
is "$again" "$mod" "an unchanged script maps to the same cached module"
is "$(stat -c %Y.%i "$mod")" "$before" "the cached module was not rebuilt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/count=%d/loads=%d/' tests/stp/mmu_load_count.stp >"$tmp/changed.stp"
other=$(lab/stap "$tmp/changed.stp")
[ -n "$other" ] && [ "$other" != "$mod" ]
ok $? "a changed script gets a different module"

out=$(lab/run -- staprun -c 'tests/progs/tiny_guest 1000' "$mod" 2>&1)
ok $? "staprun -c runs the module and the guest in the lab"
like "$out" 'hlt=1' "the guest ran under the probe"
count=$(printf '%s\n' "$out" | sed -n 's/^kvm_mmu_load target=[0-9]* count=\([0-9]*\)$/\1/p')
ok_if "${count:-0} >= 1" "kvm_mmu_load fired for the guest (count=${count:-none})"
done_testing
