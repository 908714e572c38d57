/* SPDX-License-Identifier: GPL-2.0 */
/* vm.h - the KVM side: VM, memslots, vCPUs and their initial state. */
#ifndef WORKLOAD_VM_H
#define WORKLOAD_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include "guest_abi.h"

struct vcpu {
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
	volatile pid_t tid;
	int ok;			/* ended with GUEST_PORT_DONE */
	char err[256];		/* why it ended otherwise */
};

struct vm {
	int kvm_fd;
	int vm_fd;
	size_t run_size;
	int nvcpus;
	uint64_t tsc_khz;
	struct vcpu vcpu[GUEST_MAX_VCPUS];
};

/* Open the device, check the API, create the VM ("kvm-vm" fd). */
int vm_open(struct vm *vm, const char *dev, int vcpus);
int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		void *hva, uint32_t flags);
/* Create vCPU i with CPUID; long mode; rip/rsp/rdi/rsi as given. */
int vm_create_vcpu(struct vm *vm, int i, uint64_t cr3, uint64_t gdt_gpa,
		   uint64_t tss_gpa, uint64_t rip, uint64_t rsp, uint64_t rdi,
		   uint64_t rsi);
void vm_close(struct vm *vm);

#endif
