#!/usr/bin/env bash
# lab_vm.t - the lab VM boots with KVM: svm in the CPU, /dev/kvm, NPT on by
# default and off with --shadow, NUMA nodes with --numa, COMMAND's status.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

out=$(lab/run -- sh -c 'grep -c svm /proc/cpuinfo; ls -l /dev/kvm; cat /sys/module/kvm_amd/parameters/npt' 2>&1)
ok $? "lab/run with NPT exits 0"
like "$out" '^[1-9][0-9]*$' "the VM's CPUs show svm"
like "$out" '^c.* 10, *232 .*/dev/kvm$' "/dev/kvm is a character device 10:232"
is "$(printf '%s\n' "$out" | tail -n 1)" "Y" "kvm_amd npt=Y by default"

out=$(lab/run --shadow -- cat /sys/module/kvm_amd/parameters/npt 2>&1)
ok $? "lab/run --shadow exits 0"
is "$(printf '%s\n' "$out" | tail -n 1)" "N" "kvm_amd npt=N with --shadow"

out=$(lab/run --numa 2 --vcpus 2 --mem 1G -- sh -c 'ls -d /sys/devices/system/node/node* | wc -l; nproc' 2>&1)
ok $? "lab/run --numa 2 exits 0 (no topology warning)"
is "$(printf '%s\n' "$out" | tr '\n' ' ')" "2 2 " "two NUMA nodes and two CPUs"

lab/run -- false >/dev/null 2>&1
st=$?
ok_if 'st != 0' "lab/run -- false exits non-zero (got $st)"
lab/run -- sh -c 'exit 7' >/dev/null 2>&1
is $? 7 "lab/run passes COMMAND's exit status through"

out=$(lab/run -- sh -c 'cd /eptscope && pwd; ls -1 lab/run tests/lib/tap.sh' 2>&1)
like "$out" '^/eptscope$' "COMMAND runs in the repository copy"
like "$out" '^tests/lib/tap.sh$' "the repository's files are there at the same paths"
done_testing
