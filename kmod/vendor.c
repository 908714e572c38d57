// SPDX-License-Identifier: GPL-2.0
/*
 * vendor.c - the one place where Intel and AMD differ for kvm_ept_sample:
 * what the kvm_page_fault tracepoint's error code means.
 *
 * AMD (SVM, NPT): npf_interception traces EXITINFO1, which has the #PF
 *   error-code layout (PFERR_*): bit 1 write, bit 4 fetch, bit 3 reserved
 *   bits set (an MMIO SPTE, not memory).
 * Intel (VMX, EPT): handle_ept_violation traces the exit qualification:
 *   bit 0 read, bit 1 write, bit 2 instruction fetch. MMIO takes the EPT
 *   misconfiguration exit, which does not reach this tracepoint.
 * Only the AMD path can run in the lab (QEMU emulates SVM, not VMX).
 */
#include <asm/processor.h>
#include <asm/vmx.h>

#include "ept.h"

static bool ept_vendor_vmx;

int ept_vendor_init(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		ept_vendor_vmx = false;
		return 0;
	case X86_VENDOR_INTEL:
	case X86_VENDOR_CENTAUR:
	case X86_VENDOR_ZHAOXIN:
		ept_vendor_vmx = true;
		return 0;
	}
	pr_err("kvm_ept_sample: unknown CPU vendor %u\n", boot_cpu_data.x86_vendor);
	return -ENODEV;
}

const char *ept_vendor_name(void)
{
	return ept_vendor_vmx ? "vmx/ept" : "svm/npt";
}

/* Decode a tracepoint error code; false when it is not a memory access. */
bool ept_vendor_decode(u64 code, u8 *xwr)
{
	if (ept_vendor_vmx) {
		if (code & EPT_VIOLATION_ACC_INSTR)
			*xwr = KVM_EPT_SAMPLE_X;
		else if (code & EPT_VIOLATION_ACC_WRITE)
			*xwr = KVM_EPT_SAMPLE_W;
		else
			*xwr = KVM_EPT_SAMPLE_R;
		return true;
	}
	if (code & PFERR_RSVD_MASK)
		return false;
	if (code & PFERR_FETCH_MASK)
		*xwr = KVM_EPT_SAMPLE_X;
	else if (code & PFERR_WRITE_MASK)
		*xwr = KVM_EPT_SAMPLE_W;
	else
		*xwr = KVM_EPT_SAMPLE_R;
	return true;
}
