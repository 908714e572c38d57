// SPDX-License-Identifier: GPL-2.0
/*
 * buffer.c - a session's sample buffer and the two read formats.
 *
 * Samples are kept as format-2 records in a kfifo: vCPUs push under
 * fifo_lock (the fault path), one reader at a time pops under read_lock.
 * Format 1 (the original API) converts each record to {gfn:29, xwr:3} on
 * the way out; a frame that does not fit is counted in stats.truncated,
 * never cut, and expiry records are skipped. A full buffer counts
 * stats.dropped.
 *
 * Readers are woken in batches, as perf's ring buffer wakes them at a
 * watermark: at the end of each arming round that left records (every
 * 10 ms at most), or as soon as EPT_WAKE_RECORDS are buffered; never once
 * per record. A wakeup from the fault path is taken on the faulting vCPU,
 * and sends an IPI to the reader's CPU, where another vCPU may be
 * running: woken at every sample, a guest sampled by faults at the
 * maximum budget kept 13% to 17% of its throughput in the lab, and 35% to
 * 38% woken by rounds (the same boot; docs/kmod.md, "read").
 * EPT_S_PUBLISHED says there is something to read; a read that leaves the
 * buffer empty clears it.
 */
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ept.h"

#define EPT_V1_GFN_LIMIT	(1ULL << 29)
#define EPT_V1_BATCH		32

size_t ept_record_size(u32 format)
{
	return format == KVM_EPT_SAMPLE_FORMAT_V1 ?
		sizeof(struct kvm_ept_sample_sample) :
		sizeof(struct kvm_ept_sample_v2);
}

int ept_buffer_init(struct ept_session *s)
{
	size_t bytes = EPT_FIFO_RECORDS * sizeof(struct kvm_ept_sample_v2);

	s->fifo_buf = vmalloc(bytes);
	if (!s->fifo_buf)
		return -ENOMEM;
	return kfifo_init(&s->fifo, s->fifo_buf, bytes);
}

void ept_buffer_free(struct ept_session *s)
{
	vfree(s->fifo_buf);
	s->fifo_buf = NULL;
}

void ept_buffer_reset(struct ept_session *s)
{
	unsigned long flags;

	mutex_lock(&s->read_lock);
	spin_lock_irqsave(&s->fifo_lock, flags);
	kfifo_reset(&s->fifo);
	spin_unlock_irqrestore(&s->fifo_lock, flags);
	clear_bit(EPT_S_PUBLISHED, &s->flags);
	mutex_unlock(&s->read_lock);
}

/*
 * From the fault path (a sample) or the arming work (an expiry record):
 * any context that may take a spinlock.
 */
void ept_buffer_push(struct ept_session *s, const struct kvm_ept_sample_v2 *rec)
{
	unsigned long flags;
	bool full;

	spin_lock_irqsave(&s->fifo_lock, flags);
	if (!kfifo_put(&s->fifo, *rec))
		s->stats.dropped++;
	else if (rec->flags & KVM_EPT_SAMPLE_F_ABIT)
		s->stats.age_records++;
	else if (rec->flags & KVM_EPT_SAMPLE_F_EXPIRED)
		s->stats.censored++;
	else
		s->stats.recorded++;
	full = kfifo_len(&s->fifo) >= EPT_WAKE_RECORDS;
	spin_unlock_irqrestore(&s->fifo_lock, flags);
	/* test_and_set_bit orders the bit before the waiters' check. */
	if (full && !test_and_set_bit(EPT_S_PUBLISHED, &s->flags))
		wake_up_interruptible(&s->wait);
}

/* From the arming work, at the end of each round: wake a reader. */
void ept_buffer_publish(struct ept_session *s)
{
	if (kfifo_is_empty(&s->fifo))
		return;
	set_bit(EPT_S_PUBLISHED, &s->flags);
	/* wq_has_sleeper's barrier orders the bit before the waiters' check. */
	if (wq_has_sleeper(&s->wait))
		wake_up_interruptible(&s->wait);
}

/* Whether a read would find records now, or the end of the session. */
bool ept_buffer_readable(struct ept_session *s)
{
	return test_bit(EPT_S_PUBLISHED, &s->flags) || test_bit(EPT_S_ENDED, &s->flags);
}

/* Samples recorded so far (the fault path updates it). */
u64 ept_recorded(struct ept_session *s)
{
	unsigned long flags;
	u64 recorded;

	spin_lock_irqsave(&s->fifo_lock, flags);
	recorded = s->stats.recorded;
	spin_unlock_irqrestore(&s->fifo_lock, flags);
	return recorded;
}

static ssize_t ept_read_v2(struct ept_session *s, char __user *buf, size_t len)
{
	unsigned int copied;
	int ret;

	ret = kfifo_to_user(&s->fifo, buf, len, &copied);
	/* Not "copied ? copied : ret": that would be unsigned. */
	if (copied)
		return copied;
	return ret;
}

static ssize_t ept_read_v1(struct ept_session *s, char __user *buf, size_t len)
{
	struct kvm_ept_sample_v2 rec[EPT_V1_BATCH];
	struct kvm_ept_sample_sample out[EPT_V1_BATCH];
	size_t want = len / sizeof(out[0]), done = 0;
	unsigned int n, i, k, truncated;
	unsigned long flags;

	while (done < want) {
		n = kfifo_out_peek(&s->fifo, rec, min_t(size_t, EPT_V1_BATCH, want - done));
		if (!n)
			break;
		for (i = 0, k = 0, truncated = 0; i < n; i++) {
			/* Format 1 can say neither "expired" nor "accessed bit". */
			if (rec[i].flags & (KVM_EPT_SAMPLE_F_EXPIRED | KVM_EPT_SAMPLE_F_ABIT))
				continue;
			if (rec[i].gfn >= EPT_V1_GFN_LIMIT) {
				truncated++;
				continue;
			}
			out[k].gfn = rec[i].gfn;
			out[k].xwr = rec[i].xwr;
			k++;
		}
		if (k && copy_to_user(buf + done * sizeof(out[0]), out, k * sizeof(out[0])))
			return done ? done * sizeof(out[0]) : -EFAULT;
		for (i = 0; i < n; i++)
			kfifo_skip(&s->fifo);
		if (truncated) {
			spin_lock_irqsave(&s->fifo_lock, flags);
			s->stats.truncated += truncated;
			spin_unlock_irqrestore(&s->fifo_lock, flags);
		}
		done += k;
	}
	return done * sizeof(out[0]);
}

/*
 * Copy out whole records; 0 when the buffer is empty. A read that leaves
 * it empty unpublishes it: a record pushed meanwhile waits for the end of
 * the round.
 */
ssize_t ept_buffer_read(struct ept_session *s, char __user *buf, size_t len)
{
	ssize_t ret;

	mutex_lock(&s->read_lock);
	if (READ_ONCE(s->format) == KVM_EPT_SAMPLE_FORMAT_V1)
		ret = ept_read_v1(s, buf, len);
	else
		ret = ept_read_v2(s, buf, len);
	if (kfifo_is_empty(&s->fifo))
		clear_bit(EPT_S_PUBLISHED, &s->flags);
	mutex_unlock(&s->read_lock);
	return ret;
}
