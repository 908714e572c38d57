/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept.h - internals of kvm_ept_sample.ko shared between its files: the
 * session (one per open file of /proc/kvm_ept_sample) and what each file
 * provides to the others. The user API is include/kvm_ept_sample.h.
 *
 * Locking, outermost first:
 *   session->lock (mutex)       ioctls: INIT, DEINIT, configuration
 *   ept_sessions_lock (mutex)   the list of attached sessions, tracepoint
 *   kvm->srcu (read)            memslots, while arming
 *   kvm->mmu_lock               taken inside kvm_zap_gfn_range only
 *   session->arm_lock (spin)    armed units, arm-side counters
 *   session->fifo_lock (spin)   the sample buffer, buffer-side counters
 * The fault path (catch.c) runs in the kvm_page_fault tracepoint and takes
 * only arm_lock, then fifo_lock, never both at once.
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

#include "kvm_ept_sample.h"

#define EPT_HASH_BITS		12
#define EPT_MAX_ARMED		65536		/* armed units per session */
#define EPT_FIFO_RECORDS	65536		/* buffered samples per session */
#define EPT_PERIOD_MS		10		/* arming round period */
#define EPT_EXPIRE_MS_MAX	60000		/* expire_ms parameter bound */
#define EPT_MAX_FREQ		1000000		/* samples/s */
#define EPT_MAX_SLOTS		64		/* memslots sampled per VM */
#define EPT_MAX_LEVEL		3		/* 1 = 4K, 2 = 2M, 3 = 1G */
#define EPT_CHUNK_DEFAULT	16		/* frames armed by one zap */
#define EPT_CHUNK_MAX		512
#define EPT_REVISIT_MAX		16384		/* queued revisits per session */
#define EPT_REVISIT_DIV_MAX	64
#define EPT_RATE_CAP_DEFAULT	16	/* arms/s per sample/s of budget */
#define EPT_RATE_CAP_MAX	64

/* Frames in an arming unit of a level: 1, 512 or 262144. */
static inline u64 ept_unit_pages(u8 level)
{
	return 1ULL << ((level - 1) * 9);
}

/* Session flag bits. */
enum {
	EPT_S_ATTACHED,		/* holds a VM reference; on ept_sessions */
	EPT_S_ENDED,		/* detached since INIT: readers see EOF */
	EPT_S_VM_GONE,		/* ended because the VM went away */
};

/* One armed unit: a 4 KiB frame, or a huge region (level 2 or 3). */
struct ept_armed {
	struct hlist_node hnode;	/* in session->hash, by key */
	struct list_head lnode;		/* session->armed (oldest first) or free */
	u64 base;			/* first gfn of the unit */
	u64 t_arm;			/* ktime_get_ns() when armed */
	u8 level;
	u8 flags;			/* KVM_EPT_SAMPLE_F_REVISIT or 0 */
};

/*
 * The format-2 record of armed unit e ending at now: the access by vcpu
 * (of type xwr) to gfn that caught it. An expiry record adds
 * KVM_EPT_SAMPLE_F_EXPIRED (armed.c).
 */
static inline void ept_record_init(struct kvm_ept_sample_v2 *rec,
				   const struct ept_armed *e, u64 gfn, u64 now,
				   u32 vcpu, u8 xwr)
{
	rec->gfn = gfn;
	rec->time_ns = now;
	rec->delay_ns = now - e->t_arm;
	rec->vcpu = vcpu;
	rec->xwr = xwr;
	rec->level = e->level;
	rec->flags = (e->level > 1 ? KVM_EPT_SAMPLE_F_HUGE : 0) | e->flags;
}

/* A memslot as the arming walk sees it. */
struct ept_slot {
	u64 base_gfn;
	u64 npages;
	unsigned long hva;
};

struct ept_session {
	struct mutex lock;		/* serialises ioctls */
	struct list_head node;		/* on ept_sessions (RCU) */
	unsigned long flags;		/* EPT_S_* */
	struct kvm *kvm;		/* referenced while EPT_S_ATTACHED */
	spinlock_t kvm_lock;		/* guards the kvm pointer for ioctls */
	pid_t pid;
	u64 expire_ns;			/* armed units expire after (arming work) */

	/* Configuration: written under lock, read with READ_ONCE. */
	u32 xwr;
	u32 freq;
	u32 format;
	u32 expire_ms;			/* SET_EXPIRE; 0: the module parameter */
	u32 censored;			/* SET_CENSORED: expiry records wanted */
	u32 revisit;			/* SET_REVISIT divisor, 0: off; */
					/* above EPT_REVISIT_DIV_MAX: not set */

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

	/* Arming state: only the arming work touches it. */
	struct delayed_work work;
	struct ept_slot slots[EPT_MAX_SLOTS];
	u32 nslots;
	u64 slots_gen;
	u64 walk_pos, walk_stride, walk_total;
	u32 chunk;			/* frames per zap (INIT) */
	u32 revisit_param;		/* revisit_div parameter (INIT) */
	u32 rate_cap;			/* arm_rate_cap parameter (INIT) */
	bool yield_check;		/* yield_check parameter (INIT) */
	u32 last_freq;			/* the budget the controller follows */
	u64 rate;			/* units armed per second */
	u64 prev_rate, prev_per_sec;	/* the controller's last window */
	u64 ceiling;			/* 0, or a rate not to exceed for now */
	u32 ceiling_left;		/* windows until the ceiling lifts */
	u64 credit;			/* units * ns not yet armed */
	u64 last_round;
	u64 window_start, window_recorded;

	/*
	 * Counters: armed, caught, filtered, natural, expired, regions and
	 * rounds under arm_lock; recorded, dropped and truncated under
	 * fifo_lock; the rest are written by the arming work only.
	 */
	struct kvm_ept_sample_stats stats;
};

/* main.c: module parameters. */
extern unsigned int ept_expire_ms;
extern unsigned int ept_chunk_frames;
extern unsigned int ept_revisit_div;
extern unsigned int ept_rate_cap;
extern bool ept_yield_check;

/* resolve.c: kernel symbols that are not exported. */
struct ept_syms {
	void (*zap_gfn_range)(struct kvm *kvm, gfn_t start, gfn_t end);
	bool (*ptrace_may_access)(struct task_struct *task, unsigned int mode);
	bool *tdp_enabled;
	struct tracepoint *tp_page_fault;
};
extern struct ept_syms ept_syms;
int ept_resolve_symbols(void);

/* vendor.c: the only code that differs between Intel and AMD. */
int ept_vendor_init(void);
const char *ept_vendor_name(void);
bool ept_vendor_decode(u64 code, u8 *xwr);

/* armed.c: the table of armed units. */
int ept_armed_init(struct ept_session *s);
void ept_armed_free(struct ept_session *s);
void ept_armed_clear(struct ept_session *s);
bool ept_armed_add(struct ept_session *s, u64 base, u8 level, u64 now,
		   u8 unit_flags);
struct ept_armed *ept_armed_find(struct ept_session *s, u64 gfn);
void ept_armed_release(struct ept_session *s, struct ept_armed *e);
void ept_armed_expire(struct ept_session *s, u64 now);
void ept_revisit_queue(struct ept_session *s, const struct ept_armed *e,
		       u64 delay_ns);
u32 ept_revisit_take(struct ept_session *s, u64 *gfn, u32 max);

/* buffer.c: the sample buffer and the read formats. */
int ept_buffer_init(struct ept_session *s);
void ept_buffer_free(struct ept_session *s);
void ept_buffer_reset(struct ept_session *s);
void ept_buffer_push(struct ept_session *s, const struct kvm_ept_sample_v2 *rec);
ssize_t ept_buffer_read(struct ept_session *s, char __user *buf, size_t len);
size_t ept_record_size(u32 format);

/* catch.c: the fault path and the list of attached sessions. */
int ept_sessions_add(struct ept_session *s);
void ept_sessions_del(struct ept_session *s);

/* arm.c: the arming work. */
void ept_arm_work(struct work_struct *work);
void ept_arm_start(struct ept_session *s);

/* session.c: session lifetime. */
struct ept_session *ept_session_create(void);
void ept_session_destroy(struct ept_session *s);
int ept_session_attach(struct ept_session *s, unsigned long pid);
void ept_session_stop(struct ept_session *s);
void ept_session_detach(struct ept_session *s, bool vm_gone);
struct kvm *ept_session_get_kvm(struct ept_session *s);
int ept_session_memslots(struct ept_session *s, void __user *arg);

/* proc.c: /proc/kvm_ept_sample. */
int ept_proc_create(void);
void ept_proc_remove(void);

/* hooks.c: functions SystemTap probes (see docs/kmod.md). */
void ept_hook_sample(pid_t pid, u64 gfn, u32 vcpu, u8 xwr, u8 level,
		     u64 time_ns, u64 delay_ns);
void ept_hook_arm(pid_t pid, u64 gfn, u8 level, u64 nframes, u64 time_ns);
void ept_hook_arm_unit(const void *session, pid_t pid, u64 gfn, u8 level,
		       u64 t_arm, bool ok);
void ept_hook_expire(const void *session, pid_t pid, u64 gfn, u8 level,
		     u64 t_arm, u64 now_ns);

#endif /* EPT_H */
