// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c - /proc/kvm_ept_sample: open, close, ioctl, read and poll. Each
 * open file is one session (ept_session). The original API (ioctls
 * 1200..1204, 4-byte records, non-blocking reads) is the default; format 2
 * (SET_FORMAT) gives 32-byte records, blocking reads, O_NONBLOCK, poll,
 * and end of file when the VM is gone. docs/kmod.md has every error code.
 * 32-bit callers get the same API: only GET_MEMSLOTS has pointers and
 * size_t in its structs, and ept_compat_memslots translates them.
 */
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ept.h"

static int ept_open(struct inode *inode, struct file *file)
{
	struct ept_session *s;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	s = ept_session_create();
	if (!s) {
		module_put(THIS_MODULE);
		return -ENOMEM;
	}
	file->private_data = s;
	return 0;
}

static int ept_release(struct inode *inode, struct file *file)
{
	ept_session_destroy(file->private_data);
	module_put(THIS_MODULE);
	return 0;
}

/* A consistent copy of the statistics. */
static void ept_stats(struct ept_session *s, struct kvm_ept_sample_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&s->arm_lock, flags);
	spin_lock(&s->fifo_lock);
	*st = s->stats;
	st->outstanding = s->outstanding;
	spin_unlock(&s->fifo_lock);
	spin_unlock_irqrestore(&s->arm_lock, flags);
}

/* GET_STATS: the version-3/4 layout, whose size old callers have. */
static long ept_get_stats(struct ept_session *s, void __user *arg)
{
	struct kvm_ept_sample_stats st;

	ept_stats(s, &st);
	return copy_to_user(arg, &st, KVM_EPT_SAMPLE_STATS_V4_SIZE) ? -EFAULT : 0;
}

/* GET_STATS_SIZED: as much of the statistics as the caller has room for. */
static long ept_get_stats_sized(struct ept_session *s, void __user *arg)
{
	struct kvm_ept_sample_stats_query q;
	struct kvm_ept_sample_stats st;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	ept_stats(s, &st);
	q.size = min_t(u64, q.size, sizeof(st));
	if (copy_to_user(u64_to_user_ptr(q.stats), &st, q.size) ||
	    copy_to_user(arg, &q, sizeof(q)))
		return -EFAULT;
	return 0;
}

/*
 * GET_MEMSLOTS into a kernel array of up to cap entries; *count is the
 * number of user memslots, which may be more, *n the entries filled.
 */
static long ept_memslots(struct ept_session *s, u64 cap,
			 struct kvm_ept_sample_memslot **out, u64 *count, u64 *n)
{
	long ret;

	cap = min_t(u64, cap, KVM_USER_MEM_SLOTS);
	*out = kvcalloc(max_t(u64, cap, 1), sizeof(**out), GFP_KERNEL);
	if (!*out)
		return -ENOMEM;
	ret = ept_session_memslots(s, cap, *out, count);
	if (ret) {
		kvfree(*out);
		*out = NULL;
	}
	*n = min(*count, cap);
	return ret;
}

static long ept_get_memslots(struct ept_session *s, void __user *arg)
{
	struct kvm_ept_sample_get_memslots req;
	struct kvm_ept_sample_memslot *out;
	u64 count, n;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	ret = ept_memslots(s, req.capacity, &out, &count, &n);
	if (ret)
		return ret;
	if (n && copy_to_user(req.memslots, out, n * sizeof(*out)))
		ret = -EFAULT;
	req.count = count;
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(out);
	return ret;
}

static long ept_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ept_session *s = file->private_data;
	long ret = 0;

	mutex_lock(&s->lock);
	switch (cmd) {
	case KVM_EPT_SAMPLE_CMD_INIT:
		ret = ept_session_attach(s, arg);
		break;
	case KVM_EPT_SAMPLE_CMD_SET_PROT:
		if (arg == 0 || arg > KVM_EPT_SAMPLE_XWR)
			ret = -EINVAL;
		else
			WRITE_ONCE(s->xwr, arg);
		break;
	case KVM_EPT_SAMPLE_CMD_SET_FREQ:
		if (arg > EPT_MAX_FREQ)
			ret = -EINVAL;
		else
			WRITE_ONCE(s->freq, arg);
		break;
	case KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS:
		ret = ept_get_memslots(s, (void __user *)arg);
		break;
	case KVM_EPT_SAMPLE_CMD_DEINIT:
		if (test_bit(EPT_S_ATTACHED, &s->flags))
			ept_session_stop(s);
		else
			ret = -ENXIO;
		break;
	case KVM_EPT_SAMPLE_CMD_GET_VERSION:
		ret = KVM_EPT_SAMPLE_API_VERSION;
		break;
	case KVM_EPT_SAMPLE_CMD_SET_FORMAT:
		if (arg != KVM_EPT_SAMPLE_FORMAT_V1 && arg != KVM_EPT_SAMPLE_FORMAT_V2) {
			ret = -EINVAL;
			break;
		}
		mutex_lock(&s->read_lock);
		WRITE_ONCE(s->format, arg);
		mutex_unlock(&s->read_lock);
		break;
	case KVM_EPT_SAMPLE_CMD_GET_STATS:
		ret = ept_get_stats(s, (void __user *)arg);
		break;
	case KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED:
		ret = ept_get_stats_sized(s, (void __user *)arg);
		break;
	case KVM_EPT_SAMPLE_CMD_SET_EXPIRE:
		if (arg > EPT_EXPIRE_MS_MAX)
			ret = -EINVAL;
		else
			WRITE_ONCE(s->expire_ms, arg);
		break;
	case KVM_EPT_SAMPLE_CMD_SET_REVISIT:
		if (arg > EPT_REVISIT_DIV_MAX)
			ret = -EINVAL;
		else
			WRITE_ONCE(s->revisit, arg);
		break;
	case KVM_EPT_SAMPLE_CMD_SET_MODE:
		if (arg > KVM_EPT_SAMPLE_MODE_AUTO)
			ret = -EINVAL;
		else
			WRITE_ONCE(s->mode, arg);
		break;
	case KVM_EPT_SAMPLE_CMD_SET_CENSORED:
		if (arg > 1)
			ret = -EINVAL;
		else
			WRITE_ONCE(s->censored, arg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&s->lock);
	return ret;
}

#ifdef CONFIG_COMPAT
/* The 32-bit layouts of the original API's memslot query. */
struct ept_compat_memslot {
	compat_u64 gpa;
	compat_u64 hva;
	compat_size_t page_count;
};

struct ept_compat_get_memslots {
	compat_uptr_t memslots;
	compat_size_t capacity;
	compat_size_t count;
};

static long ept_compat_memslots(struct ept_session *s, void __user *arg)
{
	struct ept_compat_get_memslots req;
	struct kvm_ept_sample_memslot *out;
	struct ept_compat_memslot c;
	struct ept_compat_memslot __user *dst;
	u64 count, n, i;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	ret = ept_memslots(s, req.capacity, &out, &count, &n);
	if (ret)
		return ret;
	dst = compat_ptr(req.memslots);
	for (i = 0; i < n && !ret; i++) {
		c.gpa = out[i].gpa;
		c.hva = out[i].hva;
		c.page_count = out[i].page_count;
		if (copy_to_user(&dst[i], &c, sizeof(c)))
			ret = -EFAULT;
	}
	req.count = count;
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(out);
	return ret;
}

static long ept_compat_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct ept_session *s = file->private_data;
	long ret;

	switch (cmd) {
	case KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS:
		mutex_lock(&s->lock);
		ret = ept_compat_memslots(s, compat_ptr(arg));
		mutex_unlock(&s->lock);
		return ret;
	case KVM_EPT_SAMPLE_CMD_GET_STATS:
	case KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED:
		/* Structs of __u64 only: the same layout. */
		return ept_ioctl(file, cmd, (unsigned long)compat_ptr(arg));
	default:
		return ept_ioctl(file, cmd, arg);
	}
}
#endif

static ssize_t ept_read(struct file *file, char __user *buf, size_t len,
			loff_t *ppos)
{
	struct ept_session *s = file->private_data;
	u32 format = READ_ONCE(s->format);
	size_t rsize = ept_record_size(format);
	ssize_t ret;

	if (len < rsize || len % rsize)
		return -EINVAL;
	if (!test_bit(EPT_S_ATTACHED, &s->flags) && !test_bit(EPT_S_ENDED, &s->flags))
		return -ENXIO;
	for (;;) {
		ret = ept_buffer_read(s, buf, len);
		if (ret)
			return ret;
		/* The original API never blocks: 0 means "no sample now". */
		if (format == KVM_EPT_SAMPLE_FORMAT_V1 || test_bit(EPT_S_ENDED, &s->flags))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(s->wait, ept_buffer_readable(s));
		if (ret)
			return ret;
	}
}

static __poll_t ept_poll(struct file *file, struct poll_table_struct *wait)
{
	struct ept_session *s = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &s->wait, wait);
	/* Pairs with wq_has_sleeper() in ept_buffer_publish(): the waiter
	 * queued before the bit is read (as sock_poll_wait() does).
	 */
	smp_mb();
	if (test_bit(EPT_S_PUBLISHED, &s->flags))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (test_bit(EPT_S_ENDED, &s->flags))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	return mask;
}

static const struct proc_ops ept_proc_ops = {
	.proc_open = ept_open,
	.proc_release = ept_release,
	.proc_read = ept_read,
	.proc_poll = ept_poll,
	.proc_ioctl = ept_ioctl,
#ifdef CONFIG_COMPAT
	.proc_compat_ioctl = ept_compat_ioctl,
#endif
	.proc_lseek = noop_llseek,
};

static struct proc_dir_entry *ept_proc;

int ept_proc_create(void)
{
	ept_proc = proc_create("kvm_ept_sample", 0600, NULL, &ept_proc_ops);
	return ept_proc ? 0 : -ENOMEM;
}

void ept_proc_remove(void)
{
	proc_remove(ept_proc);
}
