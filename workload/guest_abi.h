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
#define GUEST_PORT_KICK_RX	0xe8	/* --vhost-net: kick queue 0 (an ioeventfd) */
#define GUEST_PORT_KICK_TX	0xe9	/* --vhost-net: kick queue 1 (an ioeventfd) */

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

/*
 * --halts: the VM has an in-kernel irqchip, and vCPU 0 halts, woken each
 * time by its LAPIC's one-shot timer (x2APIC mode) on GUEST_TIMER_VECTOR,
 * whose gate follows the exceptions' (guest_timer_stub: EOI, IRET).
 * KVM's APIC bus runs at 1 GHz, so with the divider at 1 the initial
 * count is in ns. Every GUEST_HALT_LONG_EVERY-th halt is long: past
 * KVM's 200 us halt-polling limit, it polls in vain and waits. The short
 * ones end within the poll once KVM has grown it.
 */
#define GUEST_TIMER_VECTOR	32
#define GUEST_IDT_GATES		(GUEST_TIMER_VECTOR + 1)
#define GUEST_HALT_SHORT_NS	100000
#define GUEST_HALT_LONG_NS	4000000
#define GUEST_HALT_LONG_EVERY	16

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

/*
 * --vhost-net: a virtio-net device whose data path is the kernel's
 * vhost-net.  Two split virtqueues of GUEST_VQ_SIZE entries, queue 0 RX and
 * queue 1 TX, live in the "vring" region: for each, the descriptor table,
 * the avail ring (with used_event after it) and the used ring (with
 * avail_event after it), each on its own page, then one GUEST_VNET_BUF
 * byte buffer per descriptor.  Each buffer starts with the 12-byte
 * struct virtio_net_hdr_mrg_rxbuf (VIRTIO_F_VERSION_1), then the frame.
 */
#define GUEST_VQ_SIZE		256
#define GUEST_VQ_RX		0
#define GUEST_VQ_TX		1
#define GUEST_VNET_BUF		2048
#define GUEST_VNET_HDR		12
#define GUEST_VNET_ETHERTYPE	0x88b5	/* IEEE local experimental */
#define GUEST_VNET_FRAME	60	/* bytes of each frame, no FCS */
#define GUEST_VNET_MAGIC	0x53545045	/* "EPTS" in the payload */
/* The payload, after the 14-byte Ethernet header: magic, dir, seq. */
#define GUEST_VNET_DIR_TX	1	/* sent by the guest */
#define GUEST_VNET_DIR_RX	2	/* sent by the host, for the guest */
/* The pages of one queue inside the region, and the buffers after both. */
#define GUEST_VQ_PAGES		3	/* desc, avail, used */
#define GUEST_VNET_RING_PAGES	(2 * GUEST_VQ_PAGES)
#define GUEST_VNET_PAGES	(GUEST_VNET_RING_PAGES + \
	2 * GUEST_VQ_SIZE * GUEST_VNET_BUF / GUEST_PAGE_SIZE)

struct guest_vnet_params {
	uint32_t on;
	uint32_t tx;		/* packets to send */
	uint32_t rx;		/* packets to receive */
	uint32_t stall;		/* stop taking RX after this many; 0 = never */
	uint32_t detach;	/* post this many TX, then wait for the VMM to
				 * detach TX's backend; 0 = never */
	uint32_t pad0;
	uint64_t start_cycles;	/* TSC cycles into the timed run to begin */
	uint64_t rekick_cycles;	/* detach: re-kick TX while buffers wait this long */
	uint64_t ring_gpa;	/* the "vring" region */
	uint8_t mac[6];		/* the guest's source address */
	uint8_t pad[2];
};

/* What the guest's driver did, counted by vCPU 0. */
struct guest_vnet_report {
	volatile uint64_t tx_sent;	/* frames posted on the TX ring */
	volatile uint64_t tx_reclaimed;	/* TX used entries taken back */
	volatile uint64_t tx_kicks;	/* OUTs to GUEST_PORT_KICK_TX */
	volatile uint64_t rx_posted;	/* RX buffers made available */
	volatile uint64_t rx_received;	/* RX used entries consumed */
	volatile uint64_t rx_in_order;	/* ... with the expected seq */
	volatile uint64_t rx_bad;	/* ... not our frame, or out of order */
	volatile uint64_t rx_kicks;	/* OUTs to GUEST_PORT_KICK_RX */
	volatile uint64_t stalled;	/* 1: the guest stopped taking RX */
	volatile uint64_t rx_last_used;	/* the guest's RX last_used_idx */
	volatile uint64_t tx_last_used;	/* the guest's TX last_used_idx */
	volatile uint64_t done;		/* 1: all sent, reclaimed, received */
	volatile uint64_t detached;	/* written by the VMM: 1 once TX's backend is gone */
	volatile uint64_t tx_kicks_after_detach;	/* TX kicks the guest made after it saw detached */
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
	uint32_t halts;		/* --halts N: vCPU 0, after the warmup */
	uint64_t fault_gva;	/* GUEST_FAULT_PF: an address the PTs do not map */
	uint64_t mmio_gva;	/* --exits: mapped, outside every memslot */
	uint64_t cr3[GUEST_MAX_AS];
	uint64_t phase_off[GUEST_MAX_PHASES];	/* hotcold: perm[] offset */
	struct guest_vnet_params vnet;		/* --vhost-net (vnet.on) */
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
	volatile uint64_t halts;	/* --halts: HLTs executed (a wakeup */
					/* before the timer's halts again) */
} __attribute__((aligned(128)));

struct guest_shared {
	struct guest_params params;
	struct guest_ctl ctl;
	struct guest_report report[GUEST_MAX_VCPUS];
	struct guest_vnet_report vnet;
};

#endif /* WORKLOAD_GUEST_ABI_H */
