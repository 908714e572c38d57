/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept.h - internals of kvm_ept_sample.ko shared between its files: the
 * session (one per open file of /proc/kvm_ept_sample) and what each file
 * provides to the others. The user API is include/kvm_ept_sample.h.
 *
 * Locking, outermost first:
 *   session->lock (mutex)         ioctls: INIT, DEINIT, configuration
 *   session->attach_lock (mutex)  session->kvm and EPT_S_ATTACHED
 *   ept_sessions_lock (mutex)     the list of attached sessions, tracepoint
 *   kvm->srcu (read)              memslots, one arming chunk at a time
 *   mm->mmap_lock (read, trylock) the VMM's mappings, for a chunk's level
 *   kvm->mmu_lock                 inside kvm_zap_gfn_range, and around
 *                                 KVM's test/clear-young handlers (age.c)
 *   session->arm_lock (spin)      armed units, arm-side counters, delays
 *   session->fifo_lock (spin)     the sample buffer, buffer-side counters
 * The fault path (catch.c) runs in the kvm_page_fault tracepoint and takes
 * only arm_lock, then fifo_lock, never both at once.
 *
 * Calls go one way: proc.c -> session.c -> arm.c -> walk.c, control.c,
 * armed.c; catch.c and buffer.c are called from all of them.
 */
#ifndef EPT_H
#define EPT_H

#include <linux/kfifo.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"

#define ept_age_div64(a, b) div64_u64(a, b)
#include "age_ctl.h"
#include "kvm_ept_sample.h"

#define EPT_HASH_BITS		12
#define EPT_MAX_ARMED		65536		/* armed units per session */
#define EPT_FIFO_RECORDS	65536		/* buffered samples per session */
#define EPT_WAKE_RECORDS	4096		/* buffered records that wake a reader */
#define EPT_PERIOD_MS		10		/* arming round period */
#define EPT_EXPIRE_MS_MAX	60000		/* fixed expiry bound */
#define EPT_MAX_FREQ		1000000		/* samples/s */
#define EPT_MAX_LEVEL		3		/* 1 = 4K, 2 = 2M, 3 = 1G */
#define EPT_CHUNK_DEFAULT	128		/* frames armed by one zap */
#define EPT_CHUNK_MAX		512
#define EPT_NATURAL_FRAME_BITS	14	/* natural filter buckets, log2: by frame */
#define EPT_NATURAL_REGION_BITS	8	/* by 2 MiB and by 1 GiB region */
#define EPT_REVISIT_MAX		16384		/* queued revisits per session */
#define EPT_REVISIT_DIV_MAX	64
#define EPT_RATE_CAP_DEFAULT	16	/* arms/s per sample/s of budget */
#define EPT_RATE_CAP_MAX	64
#define EPT_HIST_BUCKETS	40	/* log2 buckets of delays, 1 ns .. 9 min */
#define EPT_MAX_VISITS		16384	/* chunks a round looks at */
#define EPT_AGE_FRAMES_DEFAULT	0	/* frames/s; 0: a sweep a second */
#define EPT_AGE_INTERVAL_DEFAULT 0	/* ms; 0: adapts */
/* Hard limits, per VM (docs/kmod.md, "Hard limits"). */
#define EPT_MAX_ZAPS_DEFAULT		2000
#define EPT_MAX_ZAP_FRAMES_DEFAULT	262144
#define EPT_MAX_ZAP_US_DEFAULT		100000
#define EPT_MAX_ARMS_DEFAULT		20000

/* Frames in an arming unit of a level: 1, 512 or 262144. */
static inline u64 ept_unit_pages(u8 level)
{
	return 1ULL << ((level - 1) * 9);
}

/* Session flag bits. */
enum {
	EPT_S_ATTACHED,		/* holds a VM reference; on ept_sessions */
	EPT_S_ENDED,		/* detached since INIT: readers see EOF */
	EPT_S_PUBLISHED,	/* records for readers: a round ended with records */
				/* buffered, or EPT_WAKE_RECORDS of them */
};

/*
 * One armed unit: a 4 KiB frame, or a huge region (level 2 or 3). t_arm
 * names the arming (it is what the hooks and tracepoints report); the
 * delay of an access counts from t_start, when the zap that armed it had
 * returned (its TLB flush done), or from t_arm for an access caught while
 * that zap still ran.
 */
struct ept_armed {
	struct hlist_node hnode;	/* in session->hash, by key */
	struct list_head lnode;		/* session->armed (oldest first) or free */
	u64 base;			/* first gfn of the unit */
	u64 t_arm;			/* ktime_get_ns() when registered */
	u64 t_start;			/* ktime_get_ns() when its zap returned */
	u8 level;
	u8 flags;			/* KVM_EPT_SAMPLE_F_REVISIT or 0 */
	bool suspect;			/* a vCPU's fault may undo the arming */
};

/* A memslot that the walk arms, in the walk's order (by gfn). */
struct ept_slot {
	u64 base_gfn;
	u64 npages;
	unsigned long hva;
	u64 chunk_first;		/* walk index of its first chunk */
	u64 nchunks;
};

/* The walk over every armable frame of the VM, in chunks. */
struct ept_walk {
	struct ept_slot *slots;		/* kvmalloc'd, nslots entries */
	u32 nslots;
	u32 chunk;			/* frames per chunk, a power of 2 */
	u64 gen;			/* memslots generation of the snapshot */
	bool valid;
	u64 pos, stride, total;		/* chunks: next, step, count */
};

/* Hard limits, per VM, from the module parameters at INIT (arm.c). */
struct ept_limits {
	u64 zaps_per_sec;
	u64 zap_frames;			/* frames one zap may cover */
	u64 zap_ns_per_sec;		/* time in kvm_zap_gfn_range per second */
	u64 arms_per_sec;		/* units armed per second */
	s64 arm_tokens;			/* in units * NSEC_PER_SEC */
	s64 zap_tokens;			/* in zaps * NSEC_PER_SEC */
	s64 time_tokens;		/* in ns */
};

/* A chunk cleared of its accessed bits, waiting to be observed (age.c). */
struct ept_age_chunk {
	u64 gfn, end;			/* its units' frames */
	u64 t_start;			/* the interval's start; 0: not yet */
	u64 t_clear;			/* when its bits were cleared */
	u8 level;
};

/* The accessed-bit observations of a session (age.c). */
struct ept_age {
	struct ept_age_chunk *ring;	/* pending observations, oldest first */
	u32 head, len;
	u64 rate;			/* age_frames: frames cleared per second, or 0 */
	struct ept_age_ctl ctl;		/* the interval and the frames a round clears */
	u64 last_round;
};

/* The rate controller and the adaptive expiry (control.c). */
struct ept_control {
	u32 freq;			/* the budget it follows */
	u32 rate_cap;			/* arm_rate_cap parameter (INIT) */
	bool yield_check;		/* yield_check parameter (INIT) */
	bool auto_expire;		/* the expiry adapts */
	u64 rate;			/* units armed per second */
	u64 prev_rate, prev_per_sec;	/* the last window, for yield_check */
	u64 ceiling;			/* 0, or a rate not to exceed for now */
	u32 ceiling_left;		/* windows until the ceiling lifts */
	u64 credit;			/* units * ns not yet armed */
	u64 debt;			/* units * ns armed beyond the rate */
	u64 last_round;
	u64 window_start;
	u64 window_recorded;
};

/*
 * The format-2 record of armed unit e ending at now: the access by vcpu
 * (of type xwr) to gfn that caught it. An expiry record adds
 * KVM_EPT_SAMPLE_F_EXPIRED (armed.c).
 */
static inline void ept_record_init(struct kvm_ept_sample_v2 *rec,
				   const struct ept_armed *e, u64 gfn, u64 now,
				   u64 delay, u32 vcpu, u8 xwr)
{
	rec->gfn = gfn;
	rec->time_ns = now;
	rec->delay_ns = delay;
	rec->vcpu = vcpu;
	rec->xwr = xwr;
	rec->level = e->level;
	rec->flags = (e->level > 1 ? KVM_EPT_SAMPLE_F_HUGE : 0) | e->flags;
}

struct ept_session {
	struct mutex lock;		/* serialises ioctls */
	struct mutex attach_lock;	/* kvm and EPT_S_ATTACHED */
	struct list_head node;		/* on ept_sessions (RCU) */
	unsigned long flags;		/* EPT_S_* */
	struct kvm *kvm;		/* referenced while EPT_S_ATTACHED */
	pid_t pid;
	u64 expire_ns;			/* armed units expire after this long */

	/* Configuration: written under lock, read with READ_ONCE. */
	u32 xwr;
	u32 freq;
	u32 format;
	u32 expire_ms;			/* SET_EXPIRE; 0: adapt; U32_MAX: not set */
	u32 censored;			/* SET_CENSORED: expiry records wanted */
	u32 revisit;			/* SET_REVISIT divisor, 0: off; */
					/* above EPT_REVISIT_DIV_MAX: not set */
	u32 mode;			/* SET_MODE; U32_MAX: the parameter */

	/* Samples: vCPUs write under fifo_lock, one reader under read_lock. */
	spinlock_t fifo_lock;
	struct mutex read_lock;
	DECLARE_KFIFO_PTR(fifo, struct kvm_ept_sample_v2);
	void *fifo_buf;
	wait_queue_head_t wait;

	/* Armed units, under arm_lock. */
	spinlock_t arm_lock;
	struct hlist_head hash[1 << EPT_HASH_BITS];
	struct list_head armed;
	struct list_head free;
	struct ept_armed *pool;
	u32 outstanding;
	u32 outstanding_regions;
	/* Frames to arm again (a ring of gfns) and the delay that earns it. */
	u64 *revisit_gfn;
	u32 revisit_head, revisit_len;
	u64 revisit_ns;
	/*
	 * Each vCPU's last not-present fault (gfn + 1, by vcpu_idx; 0: none):
	 * it may still be on its way through KVM's MMU, and map a frame armed
	 * after it (armed.c). The filters count them by hashed frame, 2 MiB
	 * and 1 GiB region: a unit whose bucket is not empty is suspect (a
	 * collision costs one check at its expiry, never a wrong outcome).
	 */
	u64 *natural_gfn;
	u32 natural_n;			/* entries in use: highest vcpu_idx + 1 */
	u16 natural_frames[1 << EPT_NATURAL_FRAME_BITS];
	u16 natural_regions[2][1 << EPT_NATURAL_REGION_BITS];
	/* Delays of the current control window, log2 buckets (control.c). */
	u32 delay_hist[EPT_HIST_BUCKETS];

	/* Arming state: only the arming work touches it. */
	struct delayed_work work;
	struct ept_walk walk;
	struct ept_limits limits;
	struct ept_control ctl;
	struct ept_age age;
	u32 mode_param;			/* mode parameter (INIT) */
	u64 limits_round;		/* when the limits were last refilled */
	u32 revisit_param;		/* revisit_div parameter (INIT) */
	u32 expire_param;		/* expire_ms parameter (INIT) */
	u32 expire_used;		/* the expiry setting in force */
	struct work_struct put_work;	/* drops put_kvm as the VMM (session.c) */
	struct kvm *put_kvm;

	/*
	 * Counters: armed, caught, filtered, natural, expired, late, regions
	 * and rounds under arm_lock; recorded, dropped, censored and
	 * truncated under fifo_lock; the rest are written by the arming work
	 * only.
	 */
	struct kvm_ept_sample_stats stats;
};

/* main.c: module parameters and the module's workqueue. */
extern unsigned int ept_expire_ms;
extern unsigned int ept_chunk_frames;
extern unsigned int ept_revisit_div;
extern unsigned int ept_rate_cap;
extern bool ept_yield_check;
extern unsigned int ept_max_zaps;
extern unsigned int ept_max_zap_frames;
extern unsigned int ept_max_zap_us;
extern unsigned int ept_max_arms;
extern unsigned int ept_mode;
extern unsigned int ept_age_frames;
extern unsigned int ept_age_interval_ms;
extern struct workqueue_struct *ept_wq;

/* resolve.c: kernel symbols that are not exported, checked at load. */
struct ept_syms {
	void (*zap_gfn_range)(struct kvm *kvm, gfn_t start, gfn_t end);
	bool (*ptrace_may_access)(struct task_struct *task, unsigned int mode);
	bool (*age_gfn)(struct kvm *kvm, struct kvm_gfn_range *range);
	bool (*test_age_gfn)(struct kvm *kvm, struct kvm_gfn_range *range);
	bool *tdp_enabled;
};
extern struct ept_syms ept_syms;
int ept_resolve_symbols(void);

/* vendor.c: the only code that differs between Intel and AMD. */
enum ept_fault {
	EPT_FAULT_OTHER,	/* not a not-present TDP fault on memory */
	EPT_FAULT_MISSING,	/* a TDP fault on a not-present entry */
};
int ept_vendor_init(void);
const char *ept_vendor_name(void);
int ept_vendor_check_vm(struct kvm *kvm);
enum ept_fault ept_vendor_decode(u64 code, u8 *xwr);

/* armed.c: the table of armed units. */
int ept_armed_init(struct ept_session *s);
void ept_armed_free(struct ept_session *s);
void ept_armed_clear(struct ept_session *s);
bool ept_armed_add(struct ept_session *s, u64 base, u8 level, u64 now,
		   u8 unit_flags);
void ept_armed_started(struct ept_session *s, u64 first, u64 last, u8 level,
		       u64 t_arm, u64 now);
struct ept_armed *ept_armed_find(struct ept_session *s, u64 gfn);
void ept_armed_release(struct ept_session *s, struct ept_armed *e);
void ept_armed_expire(struct ept_session *s, struct kvm *kvm, u64 now);
void ept_natural_note(struct ept_session *s, int idx, u64 gfn);
void ept_expiry_record(struct ept_session *s, const struct ept_armed *e,
		       struct kvm_ept_sample_v2 *rec);
void ept_revisit_queue(struct ept_session *s, const struct ept_armed *e,
		       u64 delay_ns);
u32 ept_revisit_take(struct ept_session *s, u64 *gfn, u32 max);

/* buffer.c: the sample buffer and the read formats. */
int ept_buffer_init(struct ept_session *s);
void ept_buffer_free(struct ept_session *s);
void ept_buffer_reset(struct ept_session *s);
void ept_buffer_push(struct ept_session *s, const struct kvm_ept_sample_v2 *rec);
void ept_buffer_publish(struct ept_session *s);
bool ept_buffer_readable(struct ept_session *s);
ssize_t ept_buffer_read(struct ept_session *s, char __user *buf, size_t len);
size_t ept_record_size(u32 format);
u64 ept_recorded(struct ept_session *s);

/* catch.c: the fault path and the list of attached sessions. */
int ept_catch_check(void);
int ept_sessions_add(struct ept_session *s);
void ept_sessions_del(struct ept_session *s);

/* walk.c: the memslots the walk arms, its order, a chunk's level. */
void ept_walk_free(struct ept_walk *w);
int ept_walk_refresh(struct ept_session *s, struct kvm *kvm);
const struct ept_slot *ept_walk_chunk(struct ept_walk *w, u64 idx, u64 *gfn,
				      u64 *end);
const struct ept_slot *ept_walk_slot_of(struct ept_walk *w, u64 gfn);
int ept_walk_level(struct kvm *kvm, struct mm_struct *mm,
		   const struct ept_slot *slot, u64 gfn, u8 *level);

/* control.c: the arming rate and the expiry. */
void ept_control_expire_start(struct ept_session *s);
void ept_control_start(struct ept_session *s, u32 freq, u64 now);
void ept_control(struct ept_session *s, u64 now);
u64 ept_control_units(struct ept_session *s, u64 now);
void ept_control_overdrawn(struct ept_session *s, u64 units);
void ept_control_delay(struct ept_session *s, u64 delay_ns);

/* arm.c: one arming round, and the hard limits. */
void ept_arm_start(struct ept_session *s);
void ept_arm_round(struct ept_session *s, struct kvm *kvm);
void ept_arm_zapped(struct ept_session *s, struct kvm *kvm, u64 first,
		    u64 last, u32 units, u64 t_arm);
bool ept_limits_allow(const struct ept_limits *l);

/* age.c: accessed-bit observations. */
int ept_age_init(struct ept_age *a);
void ept_age_free(struct ept_age *a);
void ept_age_start(struct ept_age *a);
bool ept_age_young(struct ept_session *s, struct kvm *kvm, u64 gfn, u64 end);
void ept_age_round(struct ept_session *s, struct kvm *kvm, struct mm_struct *mm,
		   u64 now, u64 elapsed, u64 arm);

/* session.c: session lifetime and its work. */
struct ept_session *ept_session_create(void);
void ept_session_destroy(struct ept_session *s);
int ept_session_attach(struct ept_session *s, unsigned long pid);
void ept_session_stop(struct ept_session *s);
int ept_session_memslots(struct ept_session *s, u64 cap,
			 struct kvm_ept_sample_memslot *out, u64 *count);

/* proc.c: /proc/kvm_ept_sample. */
int ept_proc_create(void);
void ept_proc_remove(void);

/* hooks.c: functions SystemTap probes (see docs/kmod.md). */
void ept_hook_sample(pid_t pid, u64 gfn, u32 vcpu, u8 xwr, u8 level,
		     u64 time_ns, u64 delay_ns, u64 t_arm);
void ept_hook_arm(pid_t pid, u64 gfn, u8 level, u64 nframes, u64 time_ns);
void ept_hook_arm_unit(const void *session, pid_t pid, u64 gfn, u8 level,
		       u64 t_arm, bool ok);
void ept_hook_expire(const void *session, pid_t pid, u64 gfn, u8 level,
		     u64 t_arm, u64 now_ns, u64 wait_ns);

#endif /* EPT_H */
