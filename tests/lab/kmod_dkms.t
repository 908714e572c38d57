#!/usr/bin/env bash
# kmod_dkms.t - kmod/dkms.conf builds the module through DKMS (in private
# trees, for the lab kernel), and the module DKMS built loads in the lab,
# creates /proc/kvm_ept_sample and unloads cleanly.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
. lab/lib.sh
abi=$(lab_abi) || skip_all "the lab is not set up"
command -v dkms >/dev/null || skip_all "dkms is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" build/dkms-test' EXIT

kmod/dkms-install -k "$abi" --build-only --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" >"$tmp/log" 2>&1
st=$?
ok $st "dkms builds kvm-ept-sample for $abi"
[ $st -eq 0 ] || tail -n 20 "$tmp/log" | sed 's/^/# /'
ko=$(find "$tmp/dkms" -path "*/$abi/*" -name 'kvm_ept_sample.ko*' | head -n 1)
[ -n "$ko" ]
ok $? "the built module is in the DKMS tree"
mkdir -p build/dkms-test
cp "$ko" build/dkms-test/kvm_ept_sample.ko 2>/dev/null
out=$(lab/run -- sh -c 'insmod build/dkms-test/kvm_ept_sample.ko && ls /proc/kvm_ept_sample && rmmod kvm_ept_sample && echo unloaded' 2>&1)
ok $? "the DKMS-built module loads and unloads in the lab"
like "$out" '^/proc/kvm_ept_sample$' "it creates /proc/kvm_ept_sample"
like "$out" '^unloaded$' "it unloads"
done_testing
