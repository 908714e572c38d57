/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvm_ept_sample.h - user API of /proc/kvm_ept_sample, shared by the
 * kernel module (kmod/) and the user-space tools (analysis/, tests/).
 *
 * Two layers:
 *  - the original kvm-ept-sample API (ioctls 1200..1204, the 4-byte
 *    {gfn:29, xwr:3} record, the memslot query), kept bit for bit so a
 *    program written for the original builds and runs unchanged;
 *  - a versioned extension (ioctls from 1210): 64-bit frames, vCPU,
 *    timestamps, arming delay, mapping level, and statistics.
 */
#ifndef KVM_EPT_SAMPLE_H
#define KVM_EPT_SAMPLE_H

#ifdef __KERNEL__
#include <linux/types.h>
#define KVM_EPT_SAMPLE_USER	__user
#else
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#define KVM_EPT_SAMPLE_USER
#endif

#define KVM_EPT_SAMPLE_PATH		"/proc/kvm_ept_sample"

/* ---- The original API (unchanged) ---------------------------------- */
#define KVM_EPT_SAMPLE_CMD_INIT		1200	/* arg: pid of the VMM */
#define KVM_EPT_SAMPLE_CMD_SET_PROT	1201	/* arg: xwr mask */
#define KVM_EPT_SAMPLE_CMD_SET_FREQ	1202	/* arg: samples/s, 0 stops */
#define KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS	1203	/* arg: get_memslots * */
#define KVM_EPT_SAMPLE_CMD_DEINIT	1204	/* arg: ignored */

/* Access-type bits, as in the original: x = fetch, w = write, r = read. */
#define KVM_EPT_SAMPLE_R		0x1
#define KVM_EPT_SAMPLE_W		0x2
#define KVM_EPT_SAMPLE_X		0x4
#define KVM_EPT_SAMPLE_XWR		0x7

/* The original 4-byte record. Frames at or above 2^29 (2 TiB) do not fit:
 * in format 1 such samples are counted in stats.truncated, never cut.
 */
struct kvm_ept_sample_sample {
	__u32 gfn:29;
	__u32 xwr:3;
};

/* The README of the original names the record "struct kvm_ept_sample". */
struct kvm_ept_sample {
	__u32 gfn:29;
	__u32 xwr:3;
};

struct kvm_ept_sample_memslot {
	__u64 gpa;		/* base guest physical address */
	__u64 hva;		/* base host virtual address */
	size_t page_count;	/* 4 KiB pages in the slot */
};

struct kvm_ept_sample_get_memslots {
	struct kvm_ept_sample_memslot KVM_EPT_SAMPLE_USER *memslots;	/* user array */
	size_t capacity;	/* entries in memslots */
	size_t count;		/* out: slots the VM has (may exceed capacity) */
};

/* ---- The versioned extension --------------------------------------- */
#define KVM_EPT_SAMPLE_API_VERSION	5

#define KVM_EPT_SAMPLE_CMD_GET_VERSION	1210	/* returns API version */
#define KVM_EPT_SAMPLE_CMD_SET_FORMAT	1211	/* arg: 1 (original) or 2 */
#define KVM_EPT_SAMPLE_CMD_GET_STATS	1212	/* arg: struct stats * */
/* Version 3; version 5 adds 0: adapt the expiry (the default) */
#define KVM_EPT_SAMPLE_CMD_SET_EXPIRE	1213	/* arg: ms, 1..60000, or 0 */
#define KVM_EPT_SAMPLE_CMD_SET_CENSORED	1214	/* arg: 0 or 1 */
/* Version 4 */
#define KVM_EPT_SAMPLE_CMD_SET_REVISIT	1215	/* arg: 0 (off) or 1..64 */
/* Version 5 */
#define KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED 1216	/* arg: struct stats_query * */
#define KVM_EPT_SAMPLE_CMD_SET_MODE	1217	/* arg: KVM_EPT_SAMPLE_MODE_* */

/* How a format-2 session observes (format 1 always uses faults). */
#define KVM_EPT_SAMPLE_MODE_FAULTS	0	/* arm frames, record the faults */
#define KVM_EPT_SAMPLE_MODE_ABIT	1	/* KVM's accessed bits, no faults */
#define KVM_EPT_SAMPLE_MODE_HYBRID	2	/* accessed bits, and faults on */
						/* the frames they find touched */
#define KVM_EPT_SAMPLE_MODE_AUTO	3	/* accessed bits, faults once */
						/* they cannot tell (saturated) */

#define KVM_EPT_SAMPLE_FORMAT_V1	1
#define KVM_EPT_SAMPLE_FORMAT_V2	2

/* Sample flags */
#define KVM_EPT_SAMPLE_F_HUGE		0x1	/* frame lies in a huge mapping */
/*
 * An expiry record, not a sample (format 2, after SET_CENSORED 1): the
 * unit at gfn (level) was armed for delay_ns and expired unaccessed at
 * time_ns. xwr is 0 and vcpu is KVM_EPT_SAMPLE_NO_VCPU. These are the
 * censored waits a rate estimator needs (docs/kmod.md, "The estimator").
 */
#define KVM_EPT_SAMPLE_F_EXPIRED	0x2
#define KVM_EPT_SAMPLE_NO_VCPU		0xffffffffu
/*
 * The unit was armed again because its sweep arming was caught within
 * expire/revisit (SET_REVISIT; v4), not by the sweep: a second
 * observation of a frame that looked hot (docs/kmod.md, "Revisits").
 */
#define KVM_EPT_SAMPLE_F_REVISIT	0x4
/*
 * An accessed-bit observation (version 5, SET_MODE 1 or 2): the guest
 * touched the unit within an interval of 2 * delay_ns ending at time_ns
 * (no type, no vCPU), or, with KVM_EPT_SAMPLE_F_EXPIRED, did not touch it
 * within delay_ns (docs/kmod.md, "Accessed bits").
 */
#define KVM_EPT_SAMPLE_F_ABIT		0x8

/* The format-2 record: 32 bytes, naturally aligned, little endian. */
struct kvm_ept_sample_v2 {
	__u64 gfn;		/* guest frame number (4 KiB) */
	__u64 time_ns;		/* CLOCK_MONOTONIC time of the access */
	__u64 delay_ns;		/* time from arming the frame to the access */
	__u32 vcpu;		/* vcpu_id of the faulting vCPU */
	__u8 xwr;		/* access type, KVM_EPT_SAMPLE_[RWX] */
	__u8 level;		/* arming unit: 1=4K frame, 2=2M, 3=1G region */
	__u16 flags;		/* KVM_EPT_SAMPLE_F_* */
};

struct kvm_ept_sample_stats {
	__u64 armed;		/* arming units armed (a frame, or a huge region) */
	__u64 caught;		/* armed units whose next access was caught */
	__u64 recorded;		/* samples put in the buffer */
	__u64 dropped;		/* samples lost because the buffer was full */
	__u64 filtered;		/* caught, but the access type was not selected */
	__u64 natural;		/* TDP faults on this VM not caused by arming */
	__u64 truncated;	/* format-1 samples not delivered: gfn >= 2^29 */
	__u64 rounds;		/* arming rounds run */
	__u64 expired;		/* armed units not accessed within expire_ns */
	__u64 regions;		/* of armed: huge regions (level 2 or 3) */
	__u64 arm_rate;		/* arming units per second the controller uses */
	__u64 outstanding;	/* units armed now */
	__u64 expire_ns;	/* an armed unit expires after this long */
	__u64 frames;		/* guest frames in the VM's memslots */
	__u64 pool_full;	/* rounds cut short: pool full or walk lapped */
	__u64 censored;		/* expiry records put in the buffer (v3) */
	/* Version 5: only through GET_STATS_SIZED (GET_STATS stops above). */
	__u64 zaps;		/* kvm_zap_gfn_range calls */
	__u64 zap_ns;		/* time spent in them */
	__u64 throttled;	/* rounds cut short by a hard limit */
	__u64 paused_frames;	/* frames not armed now: dirty logging is on */
	__u64 skipped_frames;	/* frames never armed: read-only or device slots */
	__u64 slots;		/* memslots armed now */
	__u64 expire_auto;	/* 1: the expiry adapts; 0: fixed (SET_EXPIRE) */
	__u64 late;		/* accesses caught after the expiry: expiry records */
	__u64 mmap_busy;	/* rounds cut short: the VMM's mmap lock was taken */
	__u64 vm_gone;		/* 1 once the session ended because the VM went away */
	__u64 dirty_log;	/* snapshots that found a dirty-logged memslot */
	__u64 mode;		/* KVM_EPT_SAMPLE_MODE_* in force */
	__u64 age_observed;	/* units observed through accessed bits */
	__u64 age_touched;	/* of which the guest had touched */
	__u64 age_records;	/* accessed-bit records put in the buffer */
	__u64 age_ns;		/* time spent in KVM's aging functions */
	__u64 age_flushes;	/* TLB flushes after clearing accessed bits */
	__u64 age_interval_ns;	/* the accessed-bit interval */
	__u64 age_saturated;	/* 1: auto mode found the bits saturated */
	__u64 undone;		/* armings a fault already on its way undid */
};

/* GET_STATS fills the version-3/4 part of struct kvm_ept_sample_stats. */
#define KVM_EPT_SAMPLE_STATS_V4_SIZE	(16 * sizeof(__u64))

/*
 * GET_STATS_SIZED: the kernel copies min(size, its own struct size) bytes
 * of struct kvm_ept_sample_stats to stats (a user pointer) and sets size
 * to the number of bytes it copied, so old and new callers both work.
 */
struct kvm_ept_sample_stats_query {
	__u64 size;		/* in: bytes at stats; out: bytes filled */
	__u64 stats;		/* user pointer to struct kvm_ept_sample_stats */
};

#endif /* KVM_EPT_SAMPLE_H */
