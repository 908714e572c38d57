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
#include "trace.h"

/* kvm.ko's tracepoint (arch/x86/kvm/x86.c exports it). */
extern struct tracepoint __tracepoint_kvm_page_fault;

static LIST_HEAD(ept_sessions);
static DEFINE_MUTEX(ept_sessions_lock);

/*
 * An access to gfn by vcpu, of type xwr, that faulted on a not-present
 * entry. The time is read under arm_lock, where every t_arm and t_start
 * was written, so a delay can never be negative. An access that comes
 * after the unit's expiry (the round that would expire it has not run
 * yet) ends the unit as an expiry record, as the round would have.
 */
static void ept_catch(struct ept_session *s, struct kvm_vcpu *vcpu, u64 gfn, u8 xwr)
{
	struct kvm_ept_sample_v2 rec;
	struct ept_armed *e;
	unsigned long flags;
	u64 now, delay, t_arm;
	bool expired;

	spin_lock_irqsave(&s->arm_lock, flags);
	e = ept_armed_find(s, gfn);
	ept_natural_note(s, vcpu->vcpu_idx, gfn);
	if (!e) {
		s->stats.natural++;
		spin_unlock_irqrestore(&s->arm_lock, flags);
		return;
	}
	now = ktime_get_ns();
	delay = now - e->t_start;
	t_arm = e->t_arm;
	expired = delay > READ_ONCE(s->expire_ns);
	if (expired) {
		ept_expiry_record(s, e, &rec);
		s->stats.late++;
	} else {
		ept_record_init(&rec, e, gfn, now, delay, vcpu->vcpu_id, xwr);
		ept_revisit_queue(s, e, delay);
		ept_control_delay(s, delay);
		s->stats.caught++;
		trace_kvm_ept_sample_hit(s->pid, gfn, rec.vcpu, xwr, rec.level,
					 rec.flags, now, delay, t_arm);
	}
	ept_armed_release(s, e);
	if (!expired && !(xwr & READ_ONCE(s->xwr))) {
		s->stats.filtered++;
		spin_unlock_irqrestore(&s->arm_lock, flags);
		return;
	}
	spin_unlock_irqrestore(&s->arm_lock, flags);

	if (expired) {
		if (READ_ONCE(s->censored) &&
		    READ_ONCE(s->format) == KVM_EPT_SAMPLE_FORMAT_V2)
			ept_buffer_push(s, &rec);
		return;
	}
	ept_buffer_push(s, &rec);
	ept_hook_sample(s->pid, rec.gfn, rec.vcpu, rec.xwr, rec.level,
			rec.time_ns, rec.delay_ns, t_arm);
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
	if (ept_vendor_decode(error_code, &xwr) != EPT_FAULT_MISSING)
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(s, &ept_sessions, node) {
		if (READ_ONCE(s->kvm) == vcpu->kvm) {
			ept_catch(s, vcpu, fault_address >> PAGE_SHIFT, xwr);
			break;
		}
	}
	rcu_read_unlock();
}

/* Load: the tracepoint the module hooks is the one it was written for. */
int ept_catch_check(void)
{
	if (strcmp(__tracepoint_kvm_page_fault.name, "kvm_page_fault")) {
		pr_err("kvm_ept_sample: __tracepoint_kvm_page_fault is named %s\n",
		       __tracepoint_kvm_page_fault.name);
		return -ENOEXEC;
	}
	return 0;
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
		ret = tracepoint_probe_register(&__tracepoint_kvm_page_fault,
						ept_page_fault_probe, NULL);
		if (ret)
			goto out;
	}
	list_add_tail_rcu(&s->node, &ept_sessions);
out:
	mutex_unlock(&ept_sessions_lock);
	return ret;
}

/*
 * Detach: when this returns, no probe still uses the session. Probes run
 * under rcu_read_lock_sched (the tracepoint) and rcu_read_lock (the list
 * walk above): synchronize_rcu waits for both, and after the last session
 * tracepoint_synchronize_unregister (which includes it) waits for the
 * probe itself.
 */
void ept_sessions_del(struct ept_session *s)
{
	bool last;

	mutex_lock(&ept_sessions_lock);
	list_del_rcu(&s->node);
	last = list_empty(&ept_sessions);
	if (last)
		WARN_ON_ONCE(tracepoint_probe_unregister(&__tracepoint_kvm_page_fault,
							 ept_page_fault_probe, NULL));
	mutex_unlock(&ept_sessions_lock);
	if (last)
		tracepoint_synchronize_unregister();
	else
		synchronize_rcu();
}
