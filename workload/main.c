// SPDX-License-Identifier: GPL-2.0
/*
 * workload/guest - a synthetic KVM guest with a known access pattern.
 *
 * main.c only sequences the steps; each lives in its own file:
 *   opts.c     command line          pattern.c  patterns, sampling tables
 *   layout.c   guest physical map    truth.c    ground-truth file
 *   mem.c      guest RAM, NUMA       vm.c       KVM VM, memslots, vCPUs
 *   image.c    page tables, code     guest_code.c  the code the guest runs
 *   run.c      vCPU threads, phases  stats.c    KVM binary statistics
 *   dirtylog.c KVM_GET_DIRTY_LOG     churn.c    --slot-churn
 *   remap.c    --remap               devslots.c --device-slots
 *   dirtytoggle.c --dirty-toggle
 *   syscheck.c system area intact after a failure?
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "churn.h"
#include "devslots.h"
#include "dirtylog.h"
#include "dirtytoggle.h"
#include "image.h"
#include "layout.h"
#include "mem.h"
#include "opts.h"
#include "pattern.h"
#include "remap.h"
#include "run.h"
#include "stats.h"
#include "syscheck.h"
#include "truth.h"
#include "vm.h"

int main(int argc, char **argv)
{
	static struct vm vm;
	struct options o;
	struct layout l;
	struct pattern_model m;
	struct guest_mem gm;
	struct dirtylog dl;
	struct churn churn;
	struct remap remap;
	struct devslots devslots;
	static struct dirtytoggle toggle;
	struct syscheck sc;
	struct guest_shared *sh;
	char err[256];
	uint64_t data_frames, entry, slot_bytes;
	int r, i, vcpu_fds[GUEST_MAX_VCPUS];
	FILE *out = stdout;

	r = parse_options(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : 2;
	if (o.node >= 0 && mem_check_node(o.node))
		return 2;

	data_frames = o.mem / GUEST_PAGE_SIZE;
	if (layout_compute(&l, data_frames, o.vcpus, o.address_spaces,
			   o.pat.kind == PAT_ZIPF, guest_code_size())) {
		fprintf(stderr, "guest: --mem too large for the guest page tables\n");
		return 2;
	}
	if (o.exits && !layout_has_mmio_page(&l)) {
		fprintf(stderr, "guest: --exits: the guest's memory ends on a 1 GiB boundary, which leaves no page-directory entry for the MMIO page; pick another --mem\n");
		return 2;
	}
	if (pattern_build(&o.pat, data_frames, o.seed, &m, err, sizeof(err))) {
		fprintf(stderr, "guest: %s\n", err);
		return 2;
	}
	slot_bytes = l.total_frames * GUEST_PAGE_SIZE;

	fprintf(out, "workload pattern=%s mix=r=%g,w=%g,x=%g vcpus=%d seconds=%g seed=%llu backing=%s data_frames=%llu hot_frames=%llu address_spaces=%d switch_rate=%g pt_writes=%g prefault=%d warmup=%d\n",
		o.pat.spec, o.mix.r, o.mix.w, o.mix.x, o.vcpus, o.seconds,
		(unsigned long long)o.seed, backing_name(o.backing),
		(unsigned long long)data_frames, (unsigned long long)m.nhot,
		o.address_spaces, o.switch_rate, o.pt_writes, o.prefault,
		o.warmup);
	if (!o.quiet || o.dry_run)
		layout_print(out, &l, "");
	if (o.truth && truth_write(o.truth, &o, &m, &l))
		return 1;
	if (o.dry_run) {
		fprintf(out, "dry_run=1\n");
		pattern_free(&m);
		return 0;
	}
	fflush(out);

	if (vm_open(&vm, o.kvm_dev, o.vcpus))
		return 1;
	if (mem_alloc(&gm, slot_bytes, o.backing, o.node))
		return 1;
	if (o.prefault && mem_prefault(&gm))
		return 1;
	if (vm_set_slot(&vm, 0, 0, slot_bytes, gm.hva,
			o.dirty_log ? KVM_MEM_LOG_DIRTY_PAGES : 0))
		return 1;
	entry = gfn_to_gpa(l.code_gfn) +
		(uint64_t)((const uint8_t *)guest_main - __start_guest_text);
	for (i = 0; i < o.vcpus; i++) {
		struct vcpu_boot b = {
			.cr3 = gfn_to_gpa(l.pml4_gfn),
			.gdt_gpa = gfn_to_gpa(l.gdt_gfn),
			.gdt_limit = (uint16_t)(TSS_SELECTOR(o.vcpus) - 1),
			.idt_gpa = gfn_to_gpa(l.gdt_gfn) + IDT_OFFSET,
			.idt_limit = GUEST_IDT_VECTORS * 16 - 1,
			.tss_gpa = layout_tss_gpa(&l, i),
			.tr_selector = (uint16_t)TSS_SELECTOR(i),
			.rip = entry,
			.rsp = layout_stack_top(&l, i),
			.rdi = gfn_to_gpa(l.shared_gfn),
			.rsi = (uint64_t)i,
		};

		if (vm_create_vcpu(&vm, i, &b))
			return 1;
		vcpu_fds[i] = vm.vcpu[i].fd;
	}
	vm.ram = gm.hva;
	vm.ram_size = slot_bytes;
	vm.layout = &l;
	image_build(gm.hva, &l, &o, &m, vm.tsc_khz);
	sh = (struct guest_shared *)(gm.hva + gfn_to_gpa(l.shared_gfn));
	if (syscheck_init(&sc, gm.hva, &l)) {
		fprintf(stderr, "guest: out of memory\n");
		return 1;
	}

	fprintf(out, "memslot slot=0 gpa=0x0 gfn_start=0 gfn_end=%llu npages=%llu size=%llu hva=%p flags=0x%x backing=%s\n",
		(unsigned long long)l.total_frames,
		(unsigned long long)l.total_frames,
		(unsigned long long)slot_bytes, (void *)gm.hva,
		o.dirty_log ? (unsigned)KVM_MEM_LOG_DIRTY_PAGES : 0u, backing_name(o.backing));
	if (o.dirty_log &&
	    dirtylog_init(&dl, vm.vm_fd, 0, l.total_frames, o.pat.nphases))
		return 1;
	if (o.slot_churn &&
	    churn_start(&churn, &vm, (slot_bytes + (1ULL << 30) - 1) &
			~((1ULL << 30) - 1), o.churn_ms, out))
		return 1;
	/* Above the RAM slot and the churn slot's 1 GiB-aligned place. */
	if (o.device_slots &&
	    devslots_add(&devslots, &vm, ((slot_bytes + (1ULL << 30) - 1) &
					  ~((1ULL << 30) - 1)) + (1ULL << 30), out))
		return 1;
	if (o.remap && remap_start(&remap, &gm, o.mem, o.remap_ms))
		return 1;
	if (o.dirty_toggle &&
	    dirtytoggle_start(&toggle, &vm, gm.hva, slot_bytes, o.toggle_ms))
		return 1;
	fflush(out);

	r = run_vm(&vm, sh, &o, o.dirty_log ? &dl : NULL, out);
	if (r)
		syscheck_report(stderr, &sc, gm.hva, &l);
	syscheck_free(&sc);

	if (o.slot_churn) {
		churn_stop(&churn);
		fprintf(out, "slot_churn adds=%llu removes=%llu failed=%d\n",
			(unsigned long long)churn.adds,
			(unsigned long long)churn.removes, churn.failed);
		if (churn.failed)
			r = -1;
	}
	if (o.dirty_toggle) {
		dirtytoggle_stop(&toggle, out);
		if (toggle.failed)
			r = -1;
	}
	if (o.remap) {
		remap_stop(&remap);
		fprintf(out, "remap remaps=%llu failed=%d\n", remap.remaps, remap.failed);
		if (remap.failed)
			r = -1;
	}
	if (o.node >= 0)
		mem_report_numa(out, &gm, o.mem, o.node);
	if (!o.quiet && stats_print(out, vm.vm_fd, vcpu_fds, vm.nvcpus))
		r = -1;
	if (o.dirty_log) {
		if (dirtylog_write(&dl, o.dirty_log, data_frames))
			r = -1;
		dirtylog_free(&dl);
	}
	fflush(out);
	vm_close(&vm);
	if (o.device_slots)
		devslots_free(&devslots);
	mem_free(&gm);
	pattern_free(&m);
	return r ? 1 : 0;
}
