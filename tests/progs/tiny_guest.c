// SPDX-License-Identifier: GPL-2.0
/*
 * tiny_guest.c - the smallest useful KVM guest, for the lab's smoke tests.
 *
 * Runs a 16-bit real-mode loop of N iterations in a fresh VM, then HLT, and
 * prints what happened. It shows that /dev/kvm can create and run a guest;
 * the synthetic workload with a known access pattern is workload/guest.
 *
 * Usage: tiny_guest [ITERATIONS]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#define MEM_SIZE 0x200000
#define CODE_GPA 0x1000

static int fail(const char *what)
{
	fprintf(stderr, "tiny_guest: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	/* mov $n, %ecx ; 1: dec %ecx ; jnz 1b ; hlt  (16-bit code) */
	uint8_t code[] = { 0x66, 0xb9, 0, 0, 0, 0, 0x66, 0x49, 0x75, 0xfc, 0xf4 };
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	struct timespec t0, t1;
	int kvm, vm, vcpu, run_size;
	uint8_t *mem;

	if (argc > 2 || (argc == 2 && (n == 0 || n > 0xffffffffUL))) {
		fprintf(stderr, "usage: tiny_guest [ITERATIONS 1..4294967295]\n");
		return 2;
	}
	memcpy(code + 2, &(uint32_t){ (uint32_t)n }, 4);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	memcpy(mem + CODE_GPA, code, sizeof(code));
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		return fail("KVM_RUN");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
		return fail("KVM_GET_REGS");
	printf("exit_reason=%u hlt=%d iterations=%lu ecx=%llu elapsed_us=%ld\n",
	       run->exit_reason, run->exit_reason == KVM_EXIT_HLT, n,
	       (unsigned long long)(regs.rcx & 0xffffffff),
	       (long)((t1.tv_sec - t0.tv_sec) * 1000000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000));
	return run->exit_reason == KVM_EXIT_HLT ? 0 : 1;
}
