/* SPDX-License-Identifier: GPL-2.0 */
/* vm.h - the KVM side: VM, memslots, vCPUs and their initial state. */
#ifndef WORKLOAD_VM_H
#define WORKLOAD_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include "guest_abi.h"

struct layout;

struct vcpu {
	int id;
	int fd;
	int stats_fd;		/* KVM_GET_STATS_FD, kept open (or -1) */
	struct kvm_run *run;
	pthread_t thread;
	int started;
	volatile pid_t tid;
	int ok;			/* ended with GUEST_PORT_DONE */
	/* The exits to this VMM, by KVM_EXIT_* (all ports, all MMIO). */
	unsigned long long io_exits, mmio_exits, hlt_exits;
	uint64_t mmio_gpa;	/* --exits: MMIO here is expected, else 0 */
	char err[512];		/* why it ended otherwise */
	char regs[512];		/* registers at a guest exception, or "" */
};

/* The long-mode state a vCPU starts in (all addresses guest physical). */
struct vcpu_boot {
	uint64_t cr3;
	uint64_t gdt_gpa;
	uint16_t gdt_limit;
	uint64_t idt_gpa;
	uint16_t idt_limit;
	uint64_t tss_gpa;
	uint16_t tr_selector;
	uint64_t rip, rsp, rdi, rsi;
};

struct vm {
	int kvm_fd;
	int vm_fd;
	/* The VM's and vCPUs' stats fds stay open for the run, as QEMU keeps
	 * its vCPUs': KVM answers KVM_GET_STATS_FD only in this process, and
	 * an outside reader (kvmstat) takes them with pidfd_getfd. */
	int stats_fd;
	int irqchip;		/* KVM_CREATE_IRQCHIP done (--halts) */
	size_t run_size;
	int nvcpus;
	uint64_t tsc_khz;
	uint8_t *ram;		/* slot 0, for reading exception frames */
	uint64_t ram_size;
	const struct layout *layout;
	struct vcpu vcpu[GUEST_MAX_VCPUS];
};

/* Open the device, check the API, create the VM ("kvm-vm" fd), with an
 * in-kernel irqchip (PIC, IOAPIC, LAPICs) when IRQCHIP is set. */
int vm_open(struct vm *vm, const char *dev, int vcpus, int irqchip);
int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		void *hva, uint32_t flags);
/* Create vCPU i with CPUID, in long mode as *b says. */
int vm_create_vcpu(struct vm *vm, int i, const struct vcpu_boot *b);
void vm_close(struct vm *vm);

#endif
