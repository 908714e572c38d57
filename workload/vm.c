// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c - create the VM and its vCPUs through the KVM API, and put each vCPU
 * straight into 64-bit long mode with KVM_SET_SREGS, as the kernel's KVM
 * selftests do: CR0.PG|PE, CR4.PAE, EFER.LME|LMA, a 64-bit code segment.
 * With an in-kernel irqchip (--halts), KVM holds every vCPU but the BSP in
 * wait-for-SIPI; they are made runnable, as the VMM has no firmware to
 * send INIT and SIPI.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vm.h"

#define CR0_PE	(1ULL << 0)
#define CR0_MP	(1ULL << 1)
#define CR0_ET	(1ULL << 4)
#define CR0_NE	(1ULL << 5)
#define CR0_WP	(1ULL << 16)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE	(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

int vm_open(struct vm *vm, const char *dev, int vcpus, int irqchip)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->stats_fd = -1;
	vm->kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		fprintf(stderr, "guest: cannot open %s: %s%s\n", dev, strerror(errno),
			errno == ENOENT ? " (no KVM here: is the kvm module loaded?)" : "");
		return -1;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		fprintf(stderr, "guest: %s is not a KVM device (API version %d, want %d)\n",
			dev, r, KVM_API_VERSION);
		return -1;
	}
	r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (r > 0 && vcpus > r) {
		fprintf(stderr, "guest: --vcpus %d: KVM allows at most %d\n", vcpus, r);
		return -1;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "guest: KVM_CREATE_VM: %s\n", strerror(errno));
		return -1;
	}
	if (irqchip && ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) {
		fprintf(stderr, "guest: KVM_CREATE_IRQCHIP: %s\n", strerror(errno));
		return -1;
	}
	vm->irqchip = irqchip;
	vm->stats_fd = ioctl(vm->vm_fd, KVM_GET_STATS_FD, NULL);	/* -1 before 5.14 */
	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		fprintf(stderr, "guest: KVM_GET_VCPU_MMAP_SIZE: %s\n", strerror(errno));
		return -1;
	}
	vm->run_size = (size_t)r;
	return 0;
}

int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		void *hva, uint32_t flags)
{
	struct kvm_userspace_memory_region mr = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr)) {
		fprintf(stderr, "guest: KVM_SET_USER_MEMORY_REGION slot %u: %s\n",
			slot, strerror(errno));
		return -1;
	}
	return 0;
}

static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	int nent = 64;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      nent * sizeof(struct kvm_cpuid_entry2));

		if (!c)
			return NULL;
		c->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG || nent > 4096)
			return NULL;
		nent *= 2;
	}
}

static void seg64(struct kvm_segment *s, uint16_t sel, int code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = code ? 0xb : 0x3;	/* execute/read accessed, r/w accessed */
	s->present = 1;
	s->dpl = 0;
	s->s = 1;
	s->l = code ? 1 : 0;
	s->db = code ? 0 : 1;
	s->g = 1;
}

int vm_create_vcpu(struct vm *vm, int i, const struct vcpu_boot *b)
{
	struct vcpu *v = &vm->vcpu[i];
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint32_t k;

	v->id = i;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
	if (v->fd < 0) {
		fprintf(stderr, "guest: KVM_CREATE_VCPU %d: %s\n", i, strerror(errno));
		return -1;
	}
	v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		fprintf(stderr, "guest: mmap kvm_run of vCPU %d: %s\n", i,
			strerror(errno));
		return -1;
	}

	cpuid = supported_cpuid(vm->kvm_fd);
	if (!cpuid) {
		fprintf(stderr, "guest: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(errno));
		return -1;
	}
	for (k = 0; k < cpuid->nent; k++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[k];

		if (e->function == 1)		/* initial APIC id */
			e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)i << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = (uint32_t)i;	/* x2APIC id */
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, cpuid)) {
		fprintf(stderr, "guest: KVM_SET_CPUID2: %s\n", strerror(errno));
		free(cpuid);
		return -1;
	}
	free(cpuid);

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		fprintf(stderr, "guest: KVM_GET_SREGS: %s\n", strerror(errno));
		return -1;
	}
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs.efer = EFER_LME | EFER_LMA;
	sregs.cr3 = b->cr3;
	seg64(&sregs.cs, 0x08, 1);
	seg64(&sregs.ds, 0x10, 0);
	seg64(&sregs.es, 0x10, 0);
	seg64(&sregs.fs, 0x10, 0);
	seg64(&sregs.gs, 0x10, 0);
	seg64(&sregs.ss, 0x10, 0);
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.base = b->tss_gpa;
	sregs.tr.limit = 0x67;
	sregs.tr.selector = b->tr_selector;
	sregs.tr.type = 0xb;		/* busy 64-bit TSS */
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.unusable = 1;
	sregs.gdt.base = b->gdt_gpa;
	sregs.gdt.limit = b->gdt_limit;
	sregs.idt.base = b->idt_gpa;
	sregs.idt.limit = b->idt_limit;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs)) {
		fprintf(stderr, "guest: KVM_SET_SREGS (long mode) on vCPU %d: %s\n", i,
			strerror(errno));
		return -1;
	}

	memset(&regs, 0, sizeof(regs));
	regs.rip = b->rip;
	regs.rsp = b->rsp;
	regs.rdi = b->rdi;
	regs.rsi = b->rsi;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs)) {
		fprintf(stderr, "guest: KVM_SET_REGS: %s\n", strerror(errno));
		return -1;
	}
	if (vm->irqchip && i > 0) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp)) {
			fprintf(stderr, "guest: KVM_SET_MP_STATE (runnable) on vCPU %d: %s\n",
				i, strerror(errno));
			return -1;
		}
	}
	if (i == 0) {
		int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);

		if (khz <= 0) {
			fprintf(stderr, "guest: KVM_GET_TSC_KHZ: %s\n",
				khz < 0 ? strerror(errno) : "returned 0");
			return -1;
		}
		vm->tsc_khz = (uint64_t)khz;
	}
	vm->nvcpus = i + 1;
	return 0;
}

void vm_close(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nvcpus; i++) {
		if (vm->vcpu[i].run)
			munmap(vm->vcpu[i].run, vm->run_size);
		if (vm->vcpu[i].fd > 0)
			close(vm->vcpu[i].fd);
		if (vm->vcpu[i].stats_fd > 0)	/* 0: never made (memset) */
			close(vm->vcpu[i].stats_fd);
	}
	if (vm->stats_fd >= 0)
		close(vm->stats_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}
