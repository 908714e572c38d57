// SPDX-License-Identifier: GPL-2.0
/*
 * session.c - the lifetime of a sampling session: create and destroy (open
 * and close of /proc/kvm_ept_sample), attach to a VM (INIT) and detach
 * from it (DEINIT, close, or the VM going away).
 *
 * Attaching finds the "kvm-vm" file among the target's open files and
 * takes a reference on its struct kvm. The arming work notices when that
 * reference is the last one (the VMM closed the VM or died) and detaches,
 * so the VM is freed at once and readers get end of file.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/ptrace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ept.h"

struct ept_session *ept_session_create(void)
{
	struct ept_session *s = kvzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	mutex_init(&s->lock);
	mutex_init(&s->read_lock);
	spin_lock_init(&s->kvm_lock);
	spin_lock_init(&s->fifo_lock);
	spin_lock_init(&s->arm_lock);
	init_waitqueue_head(&s->wait);
	INIT_LIST_HEAD(&s->node);
	INIT_DELAYED_WORK(&s->work, ept_arm_work);
	s->xwr = KVM_EPT_SAMPLE_XWR;
	s->format = KVM_EPT_SAMPLE_FORMAT_V1;
	s->revisit = U32_MAX;	/* not set: the module parameter */
	if (ept_buffer_init(s) || ept_armed_init(s)) {
		ept_session_destroy(s);
		return NULL;
	}
	return s;
}

void ept_session_destroy(struct ept_session *s)
{
	ept_session_stop(s);
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

/* The first VM that task has open, referenced; NULL if none. */
static struct kvm *ept_find_vm(struct task_struct *task)
{
	struct kvm *kvm = NULL;

	task_lock(task);
	if (task->files)
		iterate_fd(task->files, 0, ept_match_vm, &kvm);
	task_unlock(task);
	return kvm;
}

/* INIT: attach to the VM of process pid. Under session->lock. */
int ept_session_attach(struct ept_session *s, unsigned long pid)
{
	struct task_struct *task;
	struct pid *p;
	struct kvm *kvm;
	unsigned long flags;
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
	if (!ept_syms.ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS)) {
		put_task_struct(task);
		return -EACCES;
	}
	kvm = ept_find_vm(task);
	put_task_struct(task);
	if (!kvm)
		return -ENODEV;

	ept_armed_clear(s);
	ept_buffer_reset(s);
	spin_lock_irqsave(&s->arm_lock, flags);
	memset(&s->stats, 0, sizeof(s->stats));
	spin_unlock_irqrestore(&s->arm_lock, flags);
	spin_lock(&s->kvm_lock);
	s->kvm = kvm;
	spin_unlock(&s->kvm_lock);
	s->pid = pid;
	ret = ept_sessions_add(s);
	if (ret) {
		spin_lock(&s->kvm_lock);
		s->kvm = NULL;
		spin_unlock(&s->kvm_lock);
		kvm_put_kvm(kvm);
		return ret;
	}
	clear_bit(EPT_S_ENDED, &s->flags);
	clear_bit(EPT_S_VM_GONE, &s->flags);
	set_bit(EPT_S_ATTACHED, &s->flags);
	ept_arm_start(s);
	return 0;
}

/*
 * Detach from the VM, once: from the arming work when the VM is gone, or
 * from ept_session_stop. Afterwards no fault probe and no work uses s.
 */
void ept_session_detach(struct ept_session *s, bool vm_gone)
{
	struct kvm *kvm;

	if (!test_and_clear_bit(EPT_S_ATTACHED, &s->flags))
		return;
	ept_sessions_del(s);
	spin_lock(&s->kvm_lock);
	kvm = s->kvm;
	s->kvm = NULL;
	spin_unlock(&s->kvm_lock);
	kvm_put_kvm(kvm);
	ept_armed_clear(s);
	if (vm_gone)
		set_bit(EPT_S_VM_GONE, &s->flags);
	set_bit(EPT_S_ENDED, &s->flags);
	wake_up_interruptible(&s->wait);
}

/* DEINIT or close. Waits for a running arming round, which may itself be
 * detaching.
 */
void ept_session_stop(struct ept_session *s)
{
	cancel_delayed_work_sync(&s->work);
	ept_session_detach(s, false);
}

/* The session's VM with a reference of the caller's own, or NULL. */
struct kvm *ept_session_get_kvm(struct ept_session *s)
{
	struct kvm *kvm;

	spin_lock(&s->kvm_lock);
	kvm = s->kvm;
	if (kvm)
		kvm_get_kvm(kvm);
	spin_unlock(&s->kvm_lock);
	return kvm;
}

/* GET_MEMSLOTS, as the original: user slots of address space 0. */
int ept_session_memslots(struct ept_session *s, void __user *arg)
{
	struct kvm_ept_sample_get_memslots req;
	struct kvm_ept_sample_memslot *out;
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	struct kvm *kvm;
	size_t n = 0, cap;
	int bkt, idx, ret = 0;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	kvm = ept_session_get_kvm(s);
	if (!kvm)
		return -ENXIO;
	cap = min_t(size_t, req.capacity, KVM_USER_MEM_SLOTS);
	out = kvcalloc(max_t(size_t, cap, 1), sizeof(*out), GFP_KERNEL);
	if (!out) {
		kvm_put_kvm(kvm);
		return -ENOMEM;
	}
	idx = srcu_read_lock(&kvm->srcu);
	slots = kvm_memslots(kvm);
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
	srcu_read_unlock(&kvm->srcu, idx);
	kvm_put_kvm(kvm);

	if (min(n, cap) && copy_to_user(req.memslots, out, min(n, cap) * sizeof(*out)))
		ret = -EFAULT;
	req.count = n;
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(out);
	return ret;
}
