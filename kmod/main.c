// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - load and unload kvm_ept_sample.ko: the module parameters,
 * the module's workqueue (every session's arming work, and the kthreads
 * that drop VM references), the checks at load (symbols, CPU vendor, the
 * kvm_page_fault tracepoint) and /proc/kvm_ept_sample. Sessions keep the
 * module pinned, so it cannot be unloaded while one is open.
 */
#include <linux/module.h>

#include "ept.h"

unsigned int ept_expire_ms;
module_param_named(expire_ms, ept_expire_ms, uint, 0644);
MODULE_PARM_DESC(expire_ms,
		 "An armed frame not accessed within this many ms expires (1..60000), or 0 (the default): the expiry adapts to the guest; read at INIT");

unsigned int ept_chunk_frames = EPT_CHUNK_DEFAULT;
module_param_named(chunk_frames, ept_chunk_frames, uint, 0644);
MODULE_PARM_DESC(chunk_frames,
		 "Contiguous frames armed by one zap, one TLB flush (1..512, a power of 2, default 128); read at INIT");

unsigned int ept_rate_cap = EPT_RATE_CAP_DEFAULT;
module_param_named(arm_rate_cap, ept_rate_cap, uint, 0644);
MODULE_PARM_DESC(arm_rate_cap,
		 "The controller arms at most this many units per sample of the budget (1..64, default 16); read at INIT");

bool ept_yield_check;
module_param_named(yield_check, ept_yield_check, bool, 0644);
MODULE_PARM_DESC(yield_check,
		 "Start the arming rate at the budget and raise it only while raising it brings more samples (default off); read at INIT");

unsigned int ept_max_zaps = EPT_MAX_ZAPS_DEFAULT;
module_param_named(max_zaps, ept_max_zaps, uint, 0644);
MODULE_PARM_DESC(max_zaps,
		 "Hard limit: kvm_zap_gfn_range calls per second per VM, whatever the budget (1..1000000, default "
		 __stringify(EPT_MAX_ZAPS_DEFAULT) "); read at INIT");

unsigned int ept_max_zap_frames = EPT_MAX_ZAP_FRAMES_DEFAULT;
module_param_named(max_zap_frames, ept_max_zap_frames, uint, 0644);
MODULE_PARM_DESC(max_zap_frames,
		 "Hard limit: frames one zap may cover; a huge region larger than this is not armed (1..262144, default "
		 __stringify(EPT_MAX_ZAP_FRAMES_DEFAULT) "); read at INIT");

unsigned int ept_max_zap_us = EPT_MAX_ZAP_US_DEFAULT;
module_param_named(max_zap_us, ept_max_zap_us, uint, 0644);
MODULE_PARM_DESC(max_zap_us,
		 "Hard limit: microseconds per second spent in kvm_zap_gfn_range (which holds mmu_lock) per VM (1..1000000, default "
		 __stringify(EPT_MAX_ZAP_US_DEFAULT) "); read at INIT");

unsigned int ept_mode = KVM_EPT_SAMPLE_MODE_AUTO;
module_param_named(mode, ept_mode, uint, 0644);
MODULE_PARM_DESC(mode,
		 "How a format-2 session observes unless it says (SET_MODE): 0 faults, 1 accessed bits, 2 hybrid, 3 auto (the default: accessed bits, faults once they saturate); format-1 sessions (the original API) always use faults; read at INIT");

unsigned int ept_age_frames = EPT_AGE_FRAMES_DEFAULT;
module_param_named(age_frames, ept_age_frames, uint, 0644);
MODULE_PARM_DESC(age_frames,
		 "Accessed-bit modes: frames observed per second per VM, or 0 (the default): every frame once a second, within the hard limits; read at INIT");

unsigned int ept_age_interval_ms = EPT_AGE_INTERVAL_DEFAULT;
module_param_named(age_interval_ms, ept_age_interval_ms, uint, 0644);
MODULE_PARM_DESC(age_interval_ms,
		 "Accessed-bit modes: ms between clearing a frame's accessed bit and reading it (1..60000), or 0 (the default): it adapts to the guest; read at INIT");

unsigned int ept_max_arms = EPT_MAX_ARMS_DEFAULT;
module_param_named(max_arms, ept_max_arms, uint, 0644);
MODULE_PARM_DESC(max_arms,
		 "Hard limit: units armed per second per VM, so faults caused, whatever the budget (1..10000000, default "
		 __stringify(EPT_MAX_ARMS_DEFAULT) "); read at INIT");

struct workqueue_struct *ept_wq;

unsigned int ept_revisit_div;
module_param_named(revisit_div, ept_revisit_div, uint, 0644);
MODULE_PARM_DESC(revisit_div,
		 "Arm a 4 KiB frame again when its sweep arming was caught within expire_ms/revisit_div (0 = never, the default; 1..64); read at INIT");

static int __init ept_init(void)
{
	int ret;

	ret = ept_resolve_symbols();
	if (ret)
		return ret;
	ret = ept_vendor_init();
	if (ret)
		return ret;
	ret = ept_catch_check();
	if (ret)
		return ret;
	ept_wq = alloc_workqueue("kvm_ept_sample", WQ_UNBOUND, 0);
	if (!ept_wq)
		return -ENOMEM;
	ret = ept_proc_create();
	if (ret) {
		pr_err("kvm_ept_sample: cannot create /proc/kvm_ept_sample\n");
		destroy_workqueue(ept_wq);
		return ret;
	}
	pr_info("kvm_ept_sample: ready (%s, tdp %s, API %d)\n", ept_vendor_name(),
		READ_ONCE(*ept_syms.tdp_enabled) ? "on" : "off",
		KVM_EPT_SAMPLE_API_VERSION);
	return 0;
}

/* No session is open (each holds a module reference): drain what they queued. */
static void __exit ept_exit(void)
{
	ept_proc_remove();
	destroy_workqueue(ept_wq);
}

module_init(ept_init);
module_exit(ept_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample KVM guest memory accesses through EPT/NPT");
MODULE_SOFTDEP("pre: kvm");
