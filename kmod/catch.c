// SPDX-License-Identifier: GPL-2.0
/*
 * catch.c - the fault path. A probe on KVM's kvm_page_fault tracepoint sees
 * every two-dimensional-paging fault of every VM; for a VM that a session
 * samples it looks the faulting frame up among the armed units and, when
 * it is there, records a sample. Also keeps the list of attached sessions
 * that the probe searches (RCU), and registers the probe only while that
 * list is not empty.
 *
 * A tracepoint, not a kprobe: SystemTap's kprobes on the hooks in hooks.c,
 * which this path calls, would be skipped as reentrant inside a kprobe.
 */
#include <linux/rculist.h>
#include <linux/tracepoint.h>

#include "ept.h"

static LIST_HEAD(ept_sessions);
static DEFINE_MUTEX(ept_sessions_lock);

static void ept_catch(struct ept_session *s, struct kvm_vcpu *vcpu, u64 gfn, u8 xwr)
{
	struct kvm_ept_sample_v2 rec;
	struct ept_armed *e;
	unsigned long flags;
	u64 now = ktime_get_ns();

	spin_lock_irqsave(&s->arm_lock, flags);
	e = ept_armed_find(s, gfn);
	if (!e) {
		s->stats.natural++;
		spin_unlock_irqrestore(&s->arm_lock, flags);
		return;
	}
	ept_record_init(&rec, e, gfn, now, vcpu->vcpu_id, xwr);
	ept_revisit_queue(s, e, rec.delay_ns);
	ept_armed_release(s, e);
	s->stats.caught++;
	if (!(xwr & READ_ONCE(s->xwr))) {
		s->stats.filtered++;
		spin_unlock_irqrestore(&s->arm_lock, flags);
		return;
	}
	spin_unlock_irqrestore(&s->arm_lock, flags);

	ept_buffer_push(s, &rec);
	ept_hook_sample(s->pid, rec.gfn, rec.vcpu, rec.xwr, rec.level,
			rec.time_ns, rec.delay_ns);
}

/* Probe on trace_kvm_page_fault(vcpu, fault_address, error_code). */
static void ept_page_fault_probe(void *data, struct kvm_vcpu *vcpu,
				 u64 fault_address, u64 error_code)
{
	struct ept_session *s;
	u8 xwr;

	/* Only faults on guest physical addresses of the VM itself: not
	 * shadow paging (guest virtual addresses), not a nested guest.
	 */
	if (!vcpu->arch.mmu->root_role.direct ||
	    (vcpu->arch.hflags & HF_GUEST_MASK))
		return;
	if (!ept_vendor_decode(error_code, &xwr))
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(s, &ept_sessions, node) {
		if (s->kvm == vcpu->kvm) {
			ept_catch(s, vcpu, fault_address >> PAGE_SHIFT, xwr);
			break;
		}
	}
	rcu_read_unlock();
}

/* Attach a session to the fault path: -EBUSY if its VM has one already. */
int ept_sessions_add(struct ept_session *s)
{
	struct ept_session *other;
	int ret = 0;

	mutex_lock(&ept_sessions_lock);
	list_for_each_entry(other, &ept_sessions, node) {
		if (other->kvm == s->kvm) {
			ret = -EBUSY;
			goto out;
		}
	}
	if (list_empty(&ept_sessions)) {
		ret = tracepoint_probe_register(ept_syms.tp_page_fault,
						ept_page_fault_probe, NULL);
		if (ret)
			goto out;
	}
	list_add_tail_rcu(&s->node, &ept_sessions);
out:
	mutex_unlock(&ept_sessions_lock);
	return ret;
}

/* Detach: when this returns, no probe still uses the session. */
void ept_sessions_del(struct ept_session *s)
{
	mutex_lock(&ept_sessions_lock);
	list_del_rcu(&s->node);
	if (list_empty(&ept_sessions))
		tracepoint_probe_unregister(ept_syms.tp_page_fault,
					    ept_page_fault_probe, NULL);
	mutex_unlock(&ept_sessions_lock);
	/* Probes run under rcu_read_lock_sched (tracepoints) and
	 * rcu_read_lock (the walk above); wait for both.
	 */
	tracepoint_synchronize_unregister();
	synchronize_rcu();
}
