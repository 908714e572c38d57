/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_abi.h - the contract between the VMM (host side) and the guest code.
 *
 * The VMM fills struct guest_params in the shared page before the first
 * KVM_RUN.  The guest reads it, runs its access loop and keeps its counters
 * in its struct guest_report; the host reads those (the throughput is
 * measured by the guest with RDTSC, so it is free of host scheduling noise).
 * struct guest_ctl carries the host's requests: stop, and a pause barrier
 * used for exact phase changes.
 *
 * Guest virtual addresses equal guest physical addresses (identity map).
 */
#ifndef WORKLOAD_GUEST_ABI_H
#define WORKLOAD_GUEST_ABI_H

#include <stdint.h>

#define GUEST_PAGE_SHIFT	12
#define GUEST_PAGE_SIZE		(1ULL << GUEST_PAGE_SHIFT)

#define GUEST_MAX_VCPUS		64
#define GUEST_MAX_PHASES	64
#define GUEST_MAX_AS		64

#define GUEST_MAGIC		0x6570747363706521ULL	/* "eptscpe!" */

/* Port I/O from the guest: an OUT ends KVM_RUN with KVM_EXIT_IO. */
#define GUEST_PORT_DONE		0xe0	/* value: vCPU id; the run is over */
#define GUEST_PORT_PANIC	0xe1	/* value: GUEST_ERR_* */
#define GUEST_PORT_EXCEPTION	0xe2	/* value: vector; see below */
#define GUEST_PORT_COUNT	0xe4	/* --exits: one counted exit, go on */

#define GUEST_ERR_MAGIC		1	/* guest_params not initialised */
#define GUEST_ERR_KIND		2	/* unknown pattern kind */

/*
 * Exceptions.  The IDT covers vectors 0-31; each gate runs its stub on the
 * vCPU's own exception stack (IST1 of its own TSS).  The stub pushes a zero
 * error code when the CPU pushed none, then the vector, then RAX, and does
 * OUT GUEST_PORT_EXCEPTION with EAX = vector.  At that exit RSP points at
 * struct guest_exc_frame, and every other register still holds the value
 * it had when the exception happened.
 */
#define GUEST_IDT_VECTORS	32
#define GUEST_EXC_STUB_SIZE	16	/* stub v is at guest_exc_stubs + 16 v */

struct guest_exc_frame {
	uint64_t rax;
	uint64_t vector;
	uint64_t error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* --fault: make vCPU 0 take an exception on purpose (tests the IDT). */
#define GUEST_FAULT_NONE	0
#define GUEST_FAULT_UD		1	/* ud2 */
#define GUEST_FAULT_PF		2	/* read an unmapped address */
#define GUEST_FAULT_GP		3	/* read a non-canonical address */

/* Pattern kinds, as the guest loop knows them. */
#define GUEST_KIND_HOTCOLD	1	/* also uniform and phases */
#define GUEST_KIND_ZIPF		2
#define GUEST_KIND_SEQ		3

/* The data accesses touch offset DATA_OFF_BASE + (rand & DATA_OFF_MASK). */
#define GUEST_DATA_OFF_BASE	0x40
#define GUEST_DATA_OFF_MASK	0xf80

/* One entry of the zipf alias table: pick frame if rand32 < thr, else alias. */
struct guest_alias {
	uint64_t thr;		/* probability scaled by 2^32; 2^32 = always */
	uint32_t frame;
	uint32_t alias;
};

struct guest_params {
	uint64_t magic;
	uint32_t kind;
	uint32_t nvcpus;
	uint64_t data_gva;	/* virtual address of data frame 0 */
	uint64_t nframes;	/* data frames */
	uint64_t nhot;		/* hotcold: hot frames (uniform: all) */
	uint64_t ncold;
	uint64_t hot_thr;	/* hot if rand32 < hot_thr (2^32 = always) */
	uint64_t perm_gva;	/* uint32_t[nframes]: slot -> frame */
	uint64_t alias_gva;	/* struct guest_alias[nframes] (zipf) */
	uint32_t thr_read;	/* type = rand16 < thr_read ? read : */
	uint32_t thr_rw;	/*   rand16 < thr_rw ? write : execute */
	uint32_t batch;		/* accesses between checks of ctl/timers */
	uint32_t n_as;		/* address spaces (CR3 values) */
	uint64_t seed;
	uint64_t switch_cycles;	/* TSC cycles between CR3 writes; 0 = off */
	uint64_t ptw_cycles;	/* TSC cycles between PTE rewrites; 0 = off */
	uint64_t pte_gva;	/* PTE of data frame f is at pte_gva + 8 * f */
	uint32_t warmup;	/* read every pattern frame once before timing */
	uint32_t nphases;
	uint32_t fault;		/* GUEST_FAULT_*: vCPU 0, after the warmup */
	uint32_t exits;		/* --exits N: vCPU 0, after the warmup, N of
				 * each: OUT, MMIO write, HLT, hypercall */
	uint64_t fault_gva;	/* GUEST_FAULT_PF: an address the PTs do not map */
	uint64_t mmio_gva;	/* --exits: mapped, outside every memslot */
	uint64_t cr3[GUEST_MAX_AS];
	uint64_t phase_off[GUEST_MAX_PHASES];	/* hotcold: perm[] offset */
};

struct guest_ctl {
	volatile uint32_t stop;		/* host: finish and report */
	volatile uint32_t pause_req;	/* host: new generation = pause */
	volatile uint32_t release;	/* host: == pause_req = go on */
	volatile uint32_t phase;	/* valid when released */
	volatile uint32_t go;		/* host: start the timed run */
} __attribute__((aligned(64)));

#define GUEST_STATE_NEW		0
#define GUEST_STATE_READY	1	/* warmed up, waiting for ctl.go */
#define GUEST_STATE_RUNNING	2
#define GUEST_STATE_DONE	3

struct guest_report {
	volatile uint64_t state;
	volatile uint64_t accesses;
	volatile uint64_t reads;
	volatile uint64_t writes;
	volatile uint64_t execs;
	volatile uint64_t cr3_switches;
	volatile uint64_t pt_writes;
	volatile uint64_t tsc_start;
	volatile uint64_t tsc_now;	/* updated every batch */
	volatile uint64_t paused_cycles;
	volatile uint64_t ack;		/* last pause generation seen */
	volatile uint64_t checksum;	/* sum of values read */
} __attribute__((aligned(128)));

struct guest_shared {
	struct guest_params params;
	struct guest_ctl ctl;
	struct guest_report report[GUEST_MAX_VCPUS];
};

#endif /* WORKLOAD_GUEST_ABI_H */
