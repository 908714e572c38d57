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
 *   vhost.c    --vhost-net's device  tapend.c   its tap's host end
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
#include "tapend.h"
#include "truth.h"
#include "vhost.h"
#include "vm.h"

/* Everything one run of the guest holds, step after step. */
struct guest_run {
	struct options o;
	struct layout l;
	struct pattern_model m;
	struct guest_mem gm;
	struct vm vm;
	struct dirtylog dl;
	struct churn churn;
	struct remap remap;
	struct devslots devslots;
	struct dirtytoggle toggle;
	struct vhost_net vnet;
	struct tap_end tapend;
	struct syscheck sc;
	struct guest_shared *sh;
	uint64_t data_frames, slot_bytes;
	FILE *out;
};

/* The 1 GiB-aligned place above the RAM slot (--slot-churn), and the one
 * above that (--device-slots). */
static uint64_t above_slot(const struct guest_run *g, unsigned n)
{
	return ((g->slot_bytes + (1ULL << 30) - 1) & ~((1ULL << 30) - 1)) +
	       (uint64_t)n * (1ULL << 30);
}

/* The layout, the pattern, the first lines and the truth file: 0, or the
 * exit status (2 bad options, 1 a failure), or -1 after a --dry-run. */
static int plan(struct guest_run *g)
{
	const struct options *o = &g->o;
	char err[256];

	if (o->node >= 0 && mem_check_node(o->node))
		return 2;
	g->data_frames = o->mem / GUEST_PAGE_SIZE;
	if (layout_compute(&g->l, g->data_frames, o->vcpus, o->address_spaces,
			   o->pat.kind == PAT_ZIPF, guest_code_size(),
			   o->vnet.on ? GUEST_VNET_PAGES : 0)) {
		fprintf(stderr, "guest: --mem too large for the guest page tables\n");
		return 2;
	}
	if (o->exits && !layout_has_mmio_page(&g->l)) {
		fprintf(stderr, "guest: --exits: the guest's memory ends on a 1 GiB boundary, which leaves no page-directory entry for the MMIO page; pick another --mem\n");
		return 2;
	}
	if (pattern_build(&o->pat, g->data_frames, o->seed, &g->m, err, sizeof(err))) {
		fprintf(stderr, "guest: %s\n", err);
		return 2;
	}
	g->slot_bytes = g->l.total_frames * GUEST_PAGE_SIZE;
	fprintf(g->out, "workload pattern=%s mix=r=%g,w=%g,x=%g vcpus=%d seconds=%g seed=%llu backing=%s data_frames=%llu hot_frames=%llu address_spaces=%d switch_rate=%g pt_writes=%g prefault=%d warmup=%d\n",
		o->pat.spec, o->mix.r, o->mix.w, o->mix.x, o->vcpus, o->seconds,
		(unsigned long long)o->seed, backing_name(o->backing),
		(unsigned long long)g->data_frames, (unsigned long long)g->m.nhot,
		o->address_spaces, o->switch_rate, o->pt_writes, o->prefault,
		o->warmup);
	if (!o->quiet || o->dry_run)
		layout_print(g->out, &g->l, "");
	if (o->truth && truth_write(o->truth, o, &g->m, &g->l))
		return 1;
	if (o->dry_run) {
		fprintf(g->out, "dry_run=1\n");
		return -1;
	}
	fflush(g->out);
	return 0;
}

/* vCPU I in long mode at guest_main(shared, I), on its own stacks. */
static int create_vcpu(struct guest_run *g, int i)
{
	const struct layout *l = &g->l;
	struct vcpu_boot b = {
		.cr3 = gfn_to_gpa(l->pml4_gfn),
		.gdt_gpa = gfn_to_gpa(l->gdt_gfn),
		.gdt_limit = (uint16_t)(TSS_SELECTOR(g->o.vcpus) - 1),
		.idt_gpa = gfn_to_gpa(l->gdt_gfn) + IDT_OFFSET,
		.idt_limit = GUEST_IDT_GATES * 16 - 1,
		.tss_gpa = layout_tss_gpa(l, i),
		.tr_selector = (uint16_t)TSS_SELECTOR(i),
		.rip = gfn_to_gpa(l->code_gfn) +
		       (uint64_t)((const uint8_t *)guest_main - __start_guest_text),
		.rsp = layout_stack_top(l, i),
		.rdi = gfn_to_gpa(l->shared_gfn),
		.rsi = (uint64_t)i,
	};

	return vm_create_vcpu(&g->vm, i, &b);
}

/* The VM, its RAM and memslot, its vCPUs and the guest image: 0 or 1. */
static int build(struct guest_run *g)
{
	const struct options *o = &g->o;
	int i;

	if (vm_open(&g->vm, o->kvm_dev, o->vcpus, o->halts > 0) ||
	    mem_alloc(&g->gm, g->slot_bytes, o->backing, o->node) ||
	    (o->prefault && mem_prefault(&g->gm)) ||
	    vm_set_slot(&g->vm, 0, 0, g->slot_bytes, g->gm.hva,
			o->dirty_log ? KVM_MEM_LOG_DIRTY_PAGES : 0))
		return 1;
	for (i = 0; i < o->vcpus; i++)
		if (create_vcpu(g, i))
			return 1;
	g->vm.ram = g->gm.hva;
	g->vm.ram_size = g->slot_bytes;
	g->vm.layout = &g->l;
	image_build(g->gm.hva, &g->l, o, &g->m, g->vm.tsc_khz);
	g->sh = (struct guest_shared *)(g->gm.hva + gfn_to_gpa(g->l.shared_gfn));
	if (syscheck_init(&g->sc, g->gm.hva, &g->l)) {
		fprintf(stderr, "guest: out of memory\n");
		return 1;
	}
	fprintf(g->out, "memslot slot=0 gpa=0x0 gfn_start=0 gfn_end=%llu npages=%llu size=%llu hva=%p flags=0x%x backing=%s\n",
		(unsigned long long)g->l.total_frames,
		(unsigned long long)g->l.total_frames,
		(unsigned long long)g->slot_bytes, (void *)g->gm.hva,
		o->dirty_log ? (unsigned)KVM_MEM_LOG_DIRTY_PAGES : 0u,
		backing_name(o->backing));
	return 0;
}

/* What runs beside the guest: dirty logging, memslot churn, device slots,
 * remapping, dirty-log toggling, the vhost-net device. 0 or 1. */
static int start_extras(struct guest_run *g)
{
	const struct options *o = &g->o;

	if ((o->dirty_log &&
	     dirtylog_init(&g->dl, g->vm.vm_fd, 0, g->l.total_frames, o->pat.nphases)) ||
	    (o->slot_churn &&
	     churn_start(&g->churn, &g->vm, above_slot(g, 0), o->churn_ms, g->out)) ||
	    (o->device_slots && devslots_add(&g->devslots, &g->vm, above_slot(g, 1), g->out)) ||
	    (o->remap && remap_start(&g->remap, &g->gm, o->mem, o->remap_ms)) ||
	    (o->dirty_toggle &&
	     dirtytoggle_start(&g->toggle, &g->vm, g->gm.hva, g->slot_bytes, o->toggle_ms)) ||
	    (o->vnet.on &&
	     (vhost_net_open(&g->vnet, &g->vm, g->gm.hva, g->slot_bytes,
			     gfn_to_gpa(g->l.vring_gfn), g->out) ||
	      tap_end_start(&g->tapend, &g->vnet, g->sh, o->vnet.tx,
			    o->vnet.rx, o->vnet.stall, o->vnet.detach))))
		return 1;
	fflush(g->out);
	return 0;
}

/* Stop them and report what they did; R, or -1 when one failed. */
static int stop_extras(struct guest_run *g, int r)
{
	const struct options *o = &g->o;

	if (o->slot_churn) {
		churn_stop(&g->churn);
		fprintf(g->out, "slot_churn adds=%llu removes=%llu failed=%d\n",
			(unsigned long long)g->churn.adds,
			(unsigned long long)g->churn.removes, g->churn.failed);
		if (g->churn.failed)
			r = -1;
	}
	if (o->dirty_toggle) {
		dirtytoggle_stop(&g->toggle, g->out);
		if (g->toggle.failed)
			r = -1;
	}
	if (o->vnet.on) {
		if (tap_end_stop(&g->tapend, g->out))
			r = -1;
		vhost_net_close(&g->vnet);
	}
	if (o->remap) {
		remap_stop(&g->remap);
		fprintf(g->out, "remap remaps=%llu failed=%d\n", g->remap.remaps,
			g->remap.failed);
		if (g->remap.failed)
			r = -1;
	}
	return r;
}

/* The end of the report: NUMA placement, KVM's statistics, the dirty
 * log. R, or -1 when one of them failed. */
static int report(struct guest_run *g, int r)
{
	const struct options *o = &g->o;
	int fds[GUEST_MAX_VCPUS], i;

	for (i = 0; i < g->vm.nvcpus; i++)
		fds[i] = g->vm.vcpu[i].fd;
	if (o->node >= 0)
		mem_report_numa(g->out, &g->gm, o->mem, o->node);
	if (!o->quiet && stats_print(g->out, g->vm.vm_fd, fds, g->vm.nvcpus))
		r = -1;
	if (o->dirty_log) {
		if (dirtylog_write(&g->dl, o->dirty_log, g->data_frames))
			r = -1;
		dirtylog_free(&g->dl);
	}
	fflush(g->out);
	return r;
}

int main(int argc, char **argv)
{
	static struct guest_run g = { .out = NULL };
	int r;

	g.out = stdout;
	r = parse_options(argc, argv, &g.o);
	if (r)
		return r > 0 ? 0 : 2;
	r = plan(&g);
	if (r) {
		pattern_free(&g.m);
		return r < 0 ? 0 : r;
	}
	if (build(&g) || start_extras(&g))
		return 1;
	r = run_vm(&g.vm, g.sh, &g.o, g.o.dirty_log ? &g.dl : NULL, g.out);
	if (r)
		syscheck_report(stderr, &g.sc, g.gm.hva, &g.l);
	syscheck_free(&g.sc);
	r = report(&g, stop_extras(&g, r));
	vm_close(&g.vm);
	if (g.o.device_slots)
		devslots_free(&g.devslots);
	mem_free(&g.gm);
	pattern_free(&g.m);
	return r ? 1 : 0;
}
