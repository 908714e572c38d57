// SPDX-License-Identifier: GPL-2.0
/*
 * session.c - the lifetime of a sampling session: create and destroy (open
 * and close of /proc/kvm_ept_sample), attach to a VM (INIT), its arming
 * work, and detach from the VM (DEINIT, close, or the VM going away).
 *
 * Attaching finds the "kvm-vm" file among the target's open files, as
 * pidfd_getfd does (under the target's exec_update_lock, after a ptrace
 * access check), and takes a reference on its struct kvm. The arming work
 * notices when that reference is the last one (the VMM closed the VM or
 * died) and detaches, so the VM is freed at once and readers get end of
 * file.
 *
 * Who changes s->kvm and EPT_S_ATTACHED: attach, under s->lock and
 * s->attach_lock, only once no arming work runs (it cancels it first);
 * detach, under s->attach_lock, from the arming work itself or from stop
 * after stop cancelled that work. So the work reads s->kvm without a lock,
 * and everybody else takes s->attach_lock.
 *
 * The last reference to a VM is dropped as the VMM would drop it
 * (ept_put_kvm_as_vmm): kvm_arch_destroy_vm unmaps the VMM's private
 * memslots only when current->mm is the VM's mm.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "ept.h"

/* Drop a VM reference in a kthread, with the VMM's mm as its own. */
static void ept_put_kvm_as_vmm(struct kvm *kvm)
{
	struct mm_struct *mm = kvm->mm;	/* kvm holds an mmgrab on it */

	if (!mmget_not_zero(mm)) {
		kvm_put_kvm(kvm);	/* the VMM's address space is gone */
		return;
	}
	kthread_use_mm(mm);
	kvm_put_kvm(kvm);
	kthread_unuse_mm(mm);
	mmput(mm);
}

static void ept_put_work(struct work_struct *work)
{
	struct ept_session *s = container_of(work, struct ept_session, put_work);

	ept_put_kvm_as_vmm(s->put_kvm);
	s->put_kvm = NULL;
}

/* From a process (an ioctl, close): hand the put to the module's kthreads. */
static void ept_put_kvm_from_process(struct ept_session *s, struct kvm *kvm)
{
	s->put_kvm = kvm;
	queue_work(ept_wq, &s->put_work);
	flush_work(&s->put_work);
}

/*
 * Detach from the VM, once. in_work: called by the arming work (which
 * drops the VM in its own kthread); else by stop, after the work was
 * cancelled. Afterwards no fault probe and no work uses s.
 */
static void ept_session_detach(struct ept_session *s, bool in_work, bool vm_gone)
{
	unsigned long flags;
	struct kvm *kvm;

	mutex_lock(&s->attach_lock);
	if (!test_bit(EPT_S_ATTACHED, &s->flags)) {
		mutex_unlock(&s->attach_lock);
		return;
	}
	ept_sessions_del(s);
	kvm = s->kvm;
	WRITE_ONCE(s->kvm, NULL);
	spin_lock_irqsave(&s->arm_lock, flags);
	s->stats.vm_gone = vm_gone;
	spin_unlock_irqrestore(&s->arm_lock, flags);
	set_bit(EPT_S_ENDED, &s->flags);
	clear_bit(EPT_S_ATTACHED, &s->flags);
	mutex_unlock(&s->attach_lock);

	ept_armed_clear(s);
	ept_walk_free(&s->walk);
	if (in_work)
		ept_put_kvm_as_vmm(kvm);
	else
		ept_put_kvm_from_process(s, kvm);
	wake_up_interruptible(&s->wait);
}

/*
 * The next round: every EPT_PERIOD_MS, or every half expiry (or half
 * accessed-bit interval) when that is shorter, so that units expire close to on time (an access
 * between its unit's expiry and the round that expires it costs a fault
 * and ends as an expiry record: stats.late).
 */
static unsigned long ept_session_period(struct ept_session *s)
{
	u64 ns = READ_ONCE(s->expire_ns), us;

	/* The accessed-bit modes observe every half interval too. */
	if (s->stats.mode != KVM_EPT_SAMPLE_MODE_FAULTS)
		ns = min(ns, s->age.ctl.interval_ns);
	us = min_t(u64, ns / 2 / NSEC_PER_USEC, EPT_PERIOD_MS * USEC_PER_MSEC);

	return max(usecs_to_jiffies(us), 1UL);
}

/* Every round while attached. */
static void ept_session_work(struct work_struct *work)
{
	struct ept_session *s = container_of(to_delayed_work(work),
					     struct ept_session, work);
	struct kvm *kvm = s->kvm;	/* stable while the work runs (above) */

	/* Only our reference left: the VMM closed the VM or exited. */
	if (refcount_read(&kvm->users_count) == 1) {
		ept_session_detach(s, true, true);
		return;
	}
	ept_arm_round(s, kvm);
	ept_buffer_publish(s);
	queue_delayed_work(ept_wq, &s->work, ept_session_period(s));
}

struct ept_session *ept_session_create(void)
{
	struct ept_session *s = kvzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	mutex_init(&s->lock);
	mutex_init(&s->attach_lock);
	mutex_init(&s->read_lock);
	spin_lock_init(&s->fifo_lock);
	spin_lock_init(&s->arm_lock);
	init_waitqueue_head(&s->wait);
	INIT_LIST_HEAD(&s->node);
	INIT_DELAYED_WORK(&s->work, ept_session_work);
	INIT_WORK(&s->put_work, ept_put_work);
	s->xwr = KVM_EPT_SAMPLE_XWR;
	s->format = KVM_EPT_SAMPLE_FORMAT_V1;
	s->expire_ms = U32_MAX;	/* not set: the module parameter */
	s->revisit = U32_MAX;	/* not set: the module parameter */
	s->mode = U32_MAX;	/* not set: the module parameter */
	if (ept_buffer_init(s) || ept_armed_init(s) || ept_age_init(&s->age)) {
		ept_session_destroy(s);
		return NULL;
	}
	return s;
}

void ept_session_destroy(struct ept_session *s)
{
	ept_session_stop(s);
	ept_age_free(&s->age);
	ept_armed_free(s);
	ept_buffer_free(s);
	kvfree(s);
}

static int ept_match_vm(const void *p, struct file *file, unsigned int fd)
{
	struct kvm **kvmp = (struct kvm **)p;

	/* The file table holds the file, and the file holds the VM. */
	if (file_is_kvm(file) && kvm_get_kvm_safe(file->private_data)) {
		*kvmp = file->private_data;
		return 1;
	}
	return 0;
}

/*
 * The first VM that task has open, referenced, in *kvmp. As pidfd_getfd:
 * under exec_update_lock, so the task cannot exec (and change credentials
 * or files) between the access check and the file walk.
 */
static int ept_find_vm(struct task_struct *task, struct kvm **kvmp)
{
	int ret;

	*kvmp = NULL;
	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		return ret;
	if (!ept_syms.ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS)) {
		ret = -EACCES;
	} else {
		task_lock(task);
		if (task->files)
			iterate_fd(task->files, 0, ept_match_vm, kvmp);
		task_unlock(task);
		ret = *kvmp ? 0 : -ENODEV;
	}
	up_read(&task->signal->exec_update_lock);
	return ret;
}

/* INIT: the VM must be one the module can sample safely. */
static int ept_check_vm(struct kvm *kvm)
{
	if (ept_vm_type_refused(kvm))
		return -EOPNOTSUPP;
	return ept_vendor_check_vm(kvm);
}

/* INIT: attach to the VM of process pid. Under session->lock. */
int ept_session_attach(struct ept_session *s, unsigned long pid)
{
	struct task_struct *task;
	unsigned long flags;
	struct kvm *kvm;
	struct pid *p;
	int ret;

	if (test_bit(EPT_S_ATTACHED, &s->flags))
		return -EALREADY;
	if (pid == 0 || pid > PID_MAX_LIMIT)
		return -EINVAL;
	if (!READ_ONCE(*ept_syms.tdp_enabled))
		return -EOPNOTSUPP;

	p = find_get_pid(pid);
	task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!task)
		return -ESRCH;
	ret = ept_find_vm(task, &kvm);
	put_task_struct(task);
	if (ret)
		return ret;
	ret = ept_check_vm(kvm);
	if (ret)
		goto put;

	/* A work that detached by itself may still be returning. */
	cancel_delayed_work_sync(&s->work);
	ept_armed_clear(s);
	ept_buffer_reset(s);
	spin_lock_irqsave(&s->arm_lock, flags);
	memset(&s->stats, 0, sizeof(s->stats));
	memset(s->delay_hist, 0, sizeof(s->delay_hist));
	spin_unlock_irqrestore(&s->arm_lock, flags);
	s->pid = pid;

	mutex_lock(&s->attach_lock);
	s->kvm = kvm;
	ret = ept_sessions_add(s);
	if (ret) {
		s->kvm = NULL;
		mutex_unlock(&s->attach_lock);
		goto put;
	}
	clear_bit(EPT_S_ENDED, &s->flags);
	set_bit(EPT_S_ATTACHED, &s->flags);
	ept_arm_start(s);
	mutex_unlock(&s->attach_lock);
	queue_delayed_work(ept_wq, &s->work, 0);
	return 0;
put:
	ept_put_kvm_from_process(s, kvm);
	return ret;
}

/* DEINIT or close: stop the arming work (waiting for a running round), then detach. */
void ept_session_stop(struct ept_session *s)
{
	cancel_delayed_work_sync(&s->work);
	ept_session_detach(s, false, false);
}

/*
 * GET_MEMSLOTS, as the original: user slots of address space 0, the first
 * cap of them into out, their number into *count. -ENXIO if not attached.
 */
int ept_session_memslots(struct ept_session *s, u64 cap,
			 struct kvm_ept_sample_memslot *out, u64 *count)
{
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	int bkt, idx, ret = 0;
	u64 n = 0;

	mutex_lock(&s->attach_lock);
	if (!s->kvm) {
		ret = -ENXIO;
		goto out;
	}
	idx = srcu_read_lock(&s->kvm->srcu);
	slots = kvm_memslots(s->kvm);
	kvm_for_each_memslot(slot, bkt, slots) {
		if (slot->id >= KVM_USER_MEM_SLOTS)
			continue;
		if (n < cap) {
			out[n].gpa = slot->base_gfn << PAGE_SHIFT;
			out[n].hva = slot->userspace_addr;
			out[n].page_count = slot->npages;
		}
		n++;
	}
	srcu_read_unlock(&s->kvm->srcu, idx);
	*count = n;
out:
	mutex_unlock(&s->attach_lock);
	return ret;
}
