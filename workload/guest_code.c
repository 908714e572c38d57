// SPDX-License-Identifier: GPL-2.0
/*
 * guest_code.c - the code that runs inside the VM, in 64-bit long mode.
 *
 * Everything here lives in the section "guest_text".  The VMM copies that
 * section byte for byte into guest memory, so the code must be position
 * independent and self-contained: no data, no .rodata (no jump tables, no
 * string literals), no calls outside the section, no SSE, no stack
 * protector.  The Makefile checks that the object has no relocations in
 * guest_text.
 *
 * Entry: guest_main(shared, vcpu_id), with RSP set up by the VMM.
 *
 * Exceptions: guest_exc_stubs holds one 16-byte stub per vector 0-31; the
 * VMM points the IDT's gates at them (see guest_abi.h for what the host
 * gets).  Without them any exception would be a bare triple fault.
 * guest_timer_stub takes the LAPIC timer's interrupt (--halts).
 */
#include "guest_abi.h"

#define GUEST_FN	__attribute__((section("guest_text"), used))
#define INLINE		static inline __attribute__((always_inline))

/*
 * The exception stubs.  Vectors 8, 10-14, 17, 21, 29 and 30 come with an
 * error code from the CPU; the others push a zero in its place.
 */
__asm__(
	".pushsection guest_text, \"ax\", @progbits\n"
	".balign 16\n"
	".globl guest_exc_stubs\n"
	"guest_exc_stubs:\n"
	".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	".balign 16\n"
	".if (\\v == 8) || (\\v >= 10 && \\v <= 14) || (\\v == 17) || (\\v == 21) || (\\v == 29) || (\\v == 30)\n"
	".else\n"
	"pushq $0\n"
	".endif\n"
	"pushq $\\v\n"
	"jmp .Lguest_exc_common\n"
	".endr\n"
	".balign 16\n"
	".Lguest_exc_common:\n"
	"pushq %rax\n"
	"movl 8(%rsp), %eax\n"
	"outl %eax, $0xe2\n"		/* GUEST_PORT_EXCEPTION */
	"1: cli\n"
	"hlt\n"
	"jmp 1b\n"
	".popsection\n");

/*
 * --halts: the LAPIC timer's interrupt. EOI (x2APIC MSR 0x80b), return.
 * It runs on the interrupted stack, so it is reentrant: the lab's QEMU can
 * deliver one injected interrupt twice (image.c, build_gdt_idt), and the
 * second pass only writes an EOI with no vector in service.
 */
__asm__(
	".pushsection guest_text, \"ax\", @progbits\n"
	".balign 16\n"
	".globl guest_timer_stub\n"
	"guest_timer_stub:\n"
	"pushq %rax\n"
	"pushq %rcx\n"
	"pushq %rdx\n"
	"movl $0x80b, %ecx\n"
	"xorl %eax, %eax\n"
	"xorl %edx, %edx\n"
	"wrmsr\n"
	"popq %rdx\n"
	"popq %rcx\n"
	"popq %rax\n"
	"iretq\n"
	".popsection\n");

INLINE uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

INLINE void outl(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

INLINE uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

INLINE void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
			 "d"((uint32_t)(val >> 32)) : "memory");
}

INLINE void write_cr3(uint64_t val)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(val) : "memory");
}

INLINE void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

INLINE void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

INLINE __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

/* xorshift64 (Marsaglia): three shifts and three xors per number. */
INLINE uint64_t xs64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* Uniform in [0, n) from 32 random bits, without a division. */
INLINE uint64_t scale32(uint32_t r, uint64_t n)
{
	return ((uint64_t)r * n) >> 32;
}

struct loop_state {
	uint64_t rng;
	uint64_t pos;		/* seq: next frame */
	uint64_t off;		/* hotcold: perm[] offset of this phase */
	uint64_t reads, writes, execs;
	uint64_t sum;
};

/*
 * One batch of accesses.  `kind` is a compile-time constant at each call
 * site, so the compiler builds one tight loop per pattern kind.
 */
INLINE void run_batch(const struct guest_params *p, struct loop_state *ls,
		      const int kind)
{
	const uint64_t data = p->data_gva;
	const uint64_t n = p->nframes;
	const uint64_t nhot = p->nhot, ncold = p->ncold;
	const uint64_t hot_thr = p->hot_thr;
	const uint32_t *perm = (const uint32_t *)p->perm_gva;
	const struct guest_alias *alias = (const struct guest_alias *)p->alias_gva;
	const uint32_t thr_read = p->thr_read, thr_rw = p->thr_rw;
	uint64_t rng = ls->rng, pos = ls->pos, off = ls->off;
	uint64_t reads = 0, writes = 0, execs = 0, sum = ls->sum;
	uint32_t i;

	for (i = 0; i < p->batch; i++) {
		uint64_t x = xs64(&rng), y = xs64(&rng);
		uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);
		uint32_t type = (uint32_t)(y >> 48);
		uint64_t frame, va;

		if (kind == GUEST_KIND_HOTCOLD) {
			uint64_t k;

			if (hi < hot_thr)
				k = off + scale32(lo, nhot);
			else
				k = off + nhot + scale32(lo, ncold);
			if (k >= n)
				k -= n;
			frame = perm[k];
		} else if (kind == GUEST_KIND_ZIPF) {
			const struct guest_alias *e = &alias[scale32(lo, n)];

			frame = hi < e->thr ? e->frame : e->alias;
		} else {
			frame = pos;
			if (++pos == n)
				pos = 0;
		}

		va = data + (frame << GUEST_PAGE_SHIFT);
		if (type < thr_read) {
			sum += *(volatile uint64_t *)(va + GUEST_DATA_OFF_BASE +
						       (y & GUEST_DATA_OFF_MASK));
			reads++;
		} else if (type < thr_rw) {
			*(volatile uint64_t *)(va + GUEST_DATA_OFF_BASE +
					       (y & GUEST_DATA_OFF_MASK)) = y;
			writes++;
		} else {
			/* The VMM put a RET at offset 0 of every frame. */
			((void (*)(void))va)();
			execs++;
		}
	}
	ls->rng = rng;
	ls->pos = pos;
	ls->reads += reads;
	ls->writes += writes;
	ls->execs += execs;
	ls->sum = sum;
}

/*
 * --warmup: read each frame the pattern can touch once, so the timed run
 * starts with the guest's working set mapped (first-touch faults are very
 * slow in the emulated lab).  vCPU `id` takes every nvcpus-th frame.
 */
INLINE void warmup(const struct guest_params *p, uint64_t id, uint64_t nv)
{
	const uint32_t *perm = (const uint32_t *)p->perm_gva;
	uint64_t n = p->nframes, j, ph, sum = 0;

	if (p->kind != GUEST_KIND_HOTCOLD || p->hot_thr < (1ULL << 32)) {
		for (j = id; j < n; j += nv)
			sum += *(volatile uint64_t *)(p->data_gva +
				(j << GUEST_PAGE_SHIFT) + GUEST_DATA_OFF_BASE);
		(void)sum;
		return;
	}
	/* Only the hot sets are ever accessed. */
	for (ph = 0; ph < p->nphases && ph < GUEST_MAX_PHASES; ph++) {
		for (j = id; j < p->nhot; j += nv) {
			uint64_t k = p->phase_off[ph] + j;

			if (k >= n)
				k -= n;
			sum += *(volatile uint64_t *)(p->data_gva +
				((uint64_t)perm[k] << GUEST_PAGE_SHIFT) +
				GUEST_DATA_OFF_BASE);
		}
	}
	(void)sum;
}

/*
 * --exits N: exits whose number is known, for kvmstat's checks: N port
 * OUTs (KVM_EXIT_IO), N MMIO writes (KVM_EXIT_MMIO: the page is mapped but
 * in no memslot), N HLTs (KVM_EXIT_HLT: no in-kernel LAPIC) and N
 * hypercalls of an unknown number (KVM answers -KVM_ENOSYS itself), with
 * VMMCALL on AMD and VMCALL on Intel.
 */
INLINE void known_exits(const struct guest_params *p)
{
	uint32_t i, a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
	for (i = 0; i < p->exits; i++)
		outl(GUEST_PORT_COUNT, i);
	for (i = 0; i < p->exits; i++)
		*(volatile uint32_t *)p->mmio_gva = i;
	for (i = 0; i < p->exits; i++)
		__asm__ volatile("hlt" : : : "memory");
	for (i = 0; i < p->exits; i++) {
		uint64_t nr = 0xffff, ret;

		if (b == 0x68747541)	/* "Auth"enticAMD */
			__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr) : "memory");
		else
			__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr) : "memory");
		(void)ret;
	}
}

/* x2APIC registers (MSR 0x800 + the xAPIC offset / 16), and their bits. */
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EN		(1ULL << 11)
#define APIC_BASE_EXTD		(1ULL << 10)	/* x2APIC mode */
#define X2APIC_SVR		0x80f
#define X2APIC_SVR_ENABLE	0x100
#define X2APIC_LVT_TIMER	0x832	/* one-shot, unmasked: just the vector */
#define X2APIC_TIMER_INIT	0x838
#define X2APIC_TIMER_CUR	0x839
#define X2APIC_TIMER_DIV	0x83e
#define X2APIC_TIMER_DIV_1	0xb

/*
 * --halts N: N halts of vCPU 0, each woken by its LAPIC's one-shot timer
 * (guest_abi.h gives the lengths). STI's shadow covers the HLT, so the
 * interrupt cannot slip in between; a wakeup that comes before the timer
 * has run out halts again, and rep->halts counts every HLT executed.
 */
INLINE void known_halts(const struct guest_params *p, struct guest_report *rep)
{
	uint64_t halts = 0;
	uint32_t i;

	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr(X2APIC_SVR, X2APIC_SVR_ENABLE | 0xff);
	wrmsr(X2APIC_TIMER_DIV, X2APIC_TIMER_DIV_1);
	wrmsr(X2APIC_LVT_TIMER, GUEST_TIMER_VECTOR);
	for (i = 0; i < p->halts; i++) {
		wrmsr(X2APIC_TIMER_INIT, (i + 1) % GUEST_HALT_LONG_EVERY ?
		      GUEST_HALT_SHORT_NS : GUEST_HALT_LONG_NS);
		do {
			__asm__ volatile("sti; hlt; cli" : : : "memory");
			rep->halts = ++halts;
		} while (rdmsr(X2APIC_TIMER_CUR));
	}
}

/* --fault: take an exception on purpose, to test the IDT and its report. */
INLINE void take_fault(const struct guest_params *p)
{
	if (p->fault == GUEST_FAULT_UD)
		__asm__ volatile("ud2");
	else if (p->fault == GUEST_FAULT_PF)
		(void)*(volatile uint64_t *)p->fault_gva;
	else if (p->fault == GUEST_FAULT_GP)
		(void)*(volatile uint64_t *)0x8000000000000000ULL;
}

/*
 * --vhost-net: a split-virtqueue driver (virtio 1.x, VIRTIO_RING_F_EVENT_IDX)
 * that polls instead of taking interrupts.  The rings are laid out as
 * guest_abi.h says; the kicks are OUTs to the ports the VMM gave KVM
 * ioeventfds for.
 */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[GUEST_VQ_SIZE];
	uint16_t used_event;
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct vq_used_elem ring[GUEST_VQ_SIZE];
	uint16_t avail_event;
};

#define VQ_DESC_F_WRITE	2

struct vq {
	volatile struct vq_desc *desc;
	volatile struct vq_avail *avail;
	volatile struct vq_used *used;
	uint64_t buf;		/* buffer of descriptor i: buf + i * GUEST_VNET_BUF */
	uint16_t avail_idx;	/* next avail index (published or not) */
	uint16_t kicked_idx;	/* avail->idx at the last kick decision */
	uint16_t last_used;	/* next used entry to take */
	uint16_t port;
	uint16_t nfree;
	uint16_t free[GUEST_VQ_SIZE];
};

INLINE void barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

INLINE void mfence(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

/* The notify rule both sides use: did [old, new) cross event? */
INLINE int vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

INLINE void vq_init(struct vq *q, const struct guest_vnet_params *v, int n,
		    uint16_t port)
{
	uint64_t base = v->ring_gpa + (uint64_t)n * GUEST_VQ_PAGES * GUEST_PAGE_SIZE;
	uint32_t i;

	q->desc = (volatile struct vq_desc *)base;
	q->avail = (volatile struct vq_avail *)(base + GUEST_PAGE_SIZE);
	q->used = (volatile struct vq_used *)(base + 2 * GUEST_PAGE_SIZE);
	q->buf = v->ring_gpa + GUEST_VNET_RING_PAGES * GUEST_PAGE_SIZE +
		 (uint64_t)n * GUEST_VQ_SIZE * GUEST_VNET_BUF;
	q->avail_idx = q->kicked_idx = q->last_used = 0;
	q->port = port;
	q->nfree = GUEST_VQ_SIZE;
	for (i = 0; i < GUEST_VQ_SIZE; i++)
		q->free[i] = (uint16_t)(GUEST_VQ_SIZE - 1 - i);
}

/* Make descriptor id (one buffer of len bytes) available, unpublished. */
INLINE void vq_add(struct vq *q, uint16_t id, uint32_t len, uint16_t flags)
{
	q->desc[id].addr = q->buf + (uint64_t)id * GUEST_VNET_BUF;
	q->desc[id].len = len;
	q->desc[id].flags = flags;
	q->desc[id].next = 0;
	q->avail->ring[q->avail_idx % GUEST_VQ_SIZE] = id;
	q->avail_idx++;
}

/* Publish the new avail entries; kick when the device asked to be told
 * (avail_event). Returns 1 after a kick. */
INLINE int vq_publish(struct vq *q)
{
	uint16_t old = q->kicked_idx;

	if (q->avail_idx == old)
		return 0;
	barrier();
	q->avail->idx = q->avail_idx;
	mfence();	/* the index out before avail_event is read */
	q->kicked_idx = q->avail_idx;
	if (!vq_need_event(q->used->avail_event, q->avail_idx, old))
		return 0;
	outl(q->port, 0);
	return 1;
}

INLINE uint8_t *vnet_frame(struct vq *q, uint32_t id)
{
	return (uint8_t *)(q->buf + (uint64_t)id * GUEST_VNET_BUF + GUEST_VNET_HDR);
}

INLINE void put32(uint8_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

INLINE uint32_t get32(const uint8_t *p)
{
	return *(const volatile uint32_t *)p;
}

/* TX frame seq in buffer id: header zero, broadcast, our ethertype.  All
 * volatile: plain stores could be moved before the zeroing ones. */
INLINE void vnet_build(struct vq *q, uint32_t id, const uint8_t *mac, uint32_t seq)
{
	volatile uint8_t *f = vnet_frame(q, id);
	uint32_t i;

	for (i = 0; i < GUEST_VNET_HDR; i++)
		f[(int)i - GUEST_VNET_HDR] = 0;
	for (i = 0; i < GUEST_VNET_FRAME; i++)
		f[i] = 0;
	for (i = 0; i < 6; i++) {
		f[i] = 0xff;
		f[6 + i] = mac[i];
	}
	f[12] = GUEST_VNET_ETHERTYPE >> 8;
	f[13] = GUEST_VNET_ETHERTYPE & 0xff;
	put32((uint8_t *)f + 14, GUEST_VNET_MAGIC);
	put32((uint8_t *)f + 18, GUEST_VNET_DIR_TX);
	put32((uint8_t *)f + 22, seq);
}

/* The guest's pause barrier (phase changes): acknowledge, wait. */
INLINE void pause_point(struct guest_ctl *ctl, struct guest_report *rep,
			uint64_t *seen, uint64_t *paused)
{
	uint64_t t0;
	uint32_t gen;

	if (ctl->pause_req == *seen)
		return;
	t0 = rdtsc();
	gen = ctl->pause_req;
	rep->ack = gen;
	while (ctl->release != gen && !ctl->stop)
		cpu_relax();
	*seen = gen;
	*paused += rdtsc() - t0;
	rep->paused_cycles = *paused;
}

/*
 * vCPU 0's timed run under --vhost-net: from start_cycles into it, send
 * v->tx frames, keep the RX ring full and take v->rx frames, checking each
 * one's number, until the host says stop.  stall=K: after K frames received the guest stops taking
 * and refilling RX (and stops moving used_event), as a guest that never
 * got its RX interrupt.  detach=K: the guest posts K TX frames, then
 * no more until the VMM says it has detached TX's backend (vr->detached,
 * after the host end saw all K); then it posts the rest and, as a
 * driver's TX watchdog would, re-kicks every rekick_cycles while TX
 * buffers stay unused (with EVENT_IDX alone it would kick once: vhost's
 * avail_event no longer moves).
 */
INLINE void vnet_run(const struct guest_params *p, struct guest_ctl *ctl,
		     struct guest_report *rep, struct guest_vnet_report *vr)
{
	const struct guest_vnet_params *v = &p->vnet;
	struct vq rxq, txq;
	uint64_t tx_sent = 0, tx_rec = 0, rx_recv = 0, rx_posted = 0;
	uint64_t seen = 0, paused = 0, last_kick = 0;
	int stalled = 0, detached = 0;

	while (rdtsc() - rep->tsc_start < v->start_cycles && !ctl->stop) {
		rep->tsc_now = rdtsc();
		pause_point(ctl, rep, &seen, &paused);
		cpu_relax();
	}
	vq_init(&rxq, v, GUEST_VQ_RX, GUEST_PORT_KICK_RX);
	vq_init(&txq, v, GUEST_VQ_TX, GUEST_PORT_KICK_TX);
	if (v->rx) {
		while (rxq.nfree) {
			vq_add(&rxq, rxq.free[--rxq.nfree], GUEST_VNET_BUF, VQ_DESC_F_WRITE);
			rx_posted++;
		}
		vr->rx_kicks += (uint64_t)vq_publish(&rxq);
	}
	while (!ctl->stop) {
		/* TX: take back what the device used, post what is left. */
		while (txq.last_used != txq.used->idx) {
			barrier();
			txq.free[txq.nfree++] =
				(uint16_t)txq.used->ring[txq.last_used % GUEST_VQ_SIZE].id;
			txq.last_used++;
			tx_rec++;
		}
		txq.avail->used_event = txq.last_used;
		if (v->detach && !detached && vr->detached)
			detached = 1;
		while (tx_sent < (v->detach && !detached ? v->detach : v->tx) &&
		       txq.nfree) {
			uint16_t id = txq.free[--txq.nfree];

			vnet_build(&txq, id, v->mac, (uint32_t)tx_sent);
			vq_add(&txq, id, GUEST_VNET_HDR + GUEST_VNET_FRAME, 0);
			tx_sent++;
		}
		if (!detached) {
			vr->tx_kicks += (uint64_t)vq_publish(&txq);
		} else {
			uint64_t now = rdtsc(), k = (uint64_t)vq_publish(&txq);

			if (!k && txq.last_used != txq.avail_idx &&
			    now - last_kick >= v->rekick_cycles) {
				outl(txq.port, 0);
				k = 1;
			}
			if (k)
				last_kick = now;
			vr->tx_kicks += k;
			vr->tx_kicks_after_detach += k;
		}

		/* RX: take, check and give back each used buffer. */
		while (!stalled && rxq.last_used != rxq.used->idx) {
			volatile struct vq_used_elem *e =
				&rxq.used->ring[rxq.last_used % GUEST_VQ_SIZE];
			uint32_t id = e->id, len = e->len;
			const uint8_t *f;

			barrier();
			rxq.last_used++;
			if (id >= GUEST_VQ_SIZE) {
				vr->rx_bad++;
				continue;
			}
			f = vnet_frame(&rxq, id);
			if (len >= GUEST_VNET_HDR + 26 && f[12] == (GUEST_VNET_ETHERTYPE >> 8) &&
			    f[13] == (GUEST_VNET_ETHERTYPE & 0xff) &&
			    get32(f + 14) == GUEST_VNET_MAGIC &&
			    get32(f + 18) == GUEST_VNET_DIR_RX &&
			    get32(f + 22) == (uint32_t)vr->rx_in_order)
				vr->rx_in_order++;
			else
				vr->rx_bad++;
			vr->rx_received = ++rx_recv;
			vr->rx_last_used = rxq.last_used;
			if (v->stall && rx_recv >= v->stall) {
				stalled = 1;
				vr->stalled = 1;
				break;
			}
			vq_add(&rxq, (uint16_t)id, GUEST_VNET_BUF, VQ_DESC_F_WRITE);
			rx_posted++;
		}
		if (!stalled)
			rxq.avail->used_event = rxq.last_used;
		vr->rx_kicks += (uint64_t)vq_publish(&rxq);

		vr->tx_sent = tx_sent;
		vr->tx_reclaimed = tx_rec;
		vr->tx_last_used = txq.last_used;
		vr->rx_posted = rx_posted;
		vr->rx_last_used = rxq.last_used;
		vr->done = tx_rec == v->tx && rx_recv == v->rx;
		rep->tsc_now = rdtsc();
		pause_point(ctl, rep, &seen, &paused);
		cpu_relax();
	}
}

GUEST_FN __attribute__((noreturn))
void guest_main(struct guest_shared *sh, uint64_t id)
{
	const struct guest_params *p = &sh->params;
	struct guest_ctl *ctl = &sh->ctl;
	struct guest_report *rep = &sh->report[id];
	struct loop_state ls;
	uint64_t now, next_switch, next_ptw, paused = 0;
	uint64_t switches = 0, ptws = 0, as = id % (p->n_as ? p->n_as : 1);
	uint64_t pidx, seen = 0, phase = 0;
	const int kind = (int)p->kind;

	if (p->magic != GUEST_MAGIC) {
		outl(GUEST_PORT_PANIC, GUEST_ERR_MAGIC);
		halt_forever();
	}
	if (kind != GUEST_KIND_HOTCOLD && kind != GUEST_KIND_ZIPF &&
	    kind != GUEST_KIND_SEQ) {
		outl(GUEST_PORT_PANIC, GUEST_ERR_KIND);
		halt_forever();
	}

	/* A distinct, never-zero xorshift state per vCPU (splitmix64 mix). */
	ls.rng = p->seed + 0x9e3779b97f4a7c15ULL * (id + 1);
	ls.rng = (ls.rng ^ (ls.rng >> 30)) * 0xbf58476d1ce4e5b9ULL;
	ls.rng = (ls.rng ^ (ls.rng >> 27)) * 0x94d049bb133111ebULL;
	ls.rng ^= ls.rng >> 31;
	if (!ls.rng)
		ls.rng = 1;
	ls.pos = p->nframes * id / (p->nvcpus ? p->nvcpus : 1);
	ls.reads = ls.writes = ls.execs = ls.sum = 0;
	phase = ctl->phase;
	ls.off = p->phase_off[phase];
	pidx = (p->nframes * id) / (p->nvcpus ? p->nvcpus : 1);

	if (p->n_as > 1 || p->switch_cycles)
		write_cr3(p->cr3[as]);
	if (p->warmup)
		warmup(p, id, p->nvcpus ? p->nvcpus : 1);
	if (id == 0 && p->exits)
		known_exits(p);
	if (id == 0 && p->halts)
		known_halts(p, rep);
	if (id == 0 && p->fault)
		take_fault(p);
	/* All vCPUs start the timed run together, when the host says so. */
	rep->state = GUEST_STATE_READY;
	while (!ctl->go && !ctl->stop)
		cpu_relax();

	now = rdtsc();
	next_switch = now + p->switch_cycles;
	next_ptw = now + p->ptw_cycles;
	rep->tsc_start = now;
	rep->tsc_now = now;
	rep->state = GUEST_STATE_RUNNING;

	if (id == 0 && p->vnet.on) {
		vnet_run(p, ctl, rep, &sh->vnet);
		rep->tsc_now = rdtsc();
		rep->state = GUEST_STATE_DONE;
		outl(GUEST_PORT_DONE, (uint32_t)id);
		halt_forever();
	}
	for (;;) {
		if (kind == GUEST_KIND_HOTCOLD)
			run_batch(p, &ls, GUEST_KIND_HOTCOLD);
		else if (kind == GUEST_KIND_ZIPF)
			run_batch(p, &ls, GUEST_KIND_ZIPF);
		else
			run_batch(p, &ls, GUEST_KIND_SEQ);

		now = rdtsc();
		rep->reads = ls.reads;
		rep->writes = ls.writes;
		rep->execs = ls.execs;
		rep->accesses = ls.reads + ls.writes + ls.execs;
		rep->tsc_now = now;

		if (p->switch_cycles && now >= next_switch) {
			as = as + 1 >= p->n_as ? 0 : as + 1;
			write_cr3(p->cr3[as]);
			rep->cr3_switches = ++switches;
			next_switch += p->switch_cycles;
			if (next_switch < now)	/* too far behind: no burst */
				next_switch = now + p->switch_cycles;
		}
		if (p->ptw_cycles && now >= next_ptw) {
			volatile uint64_t *pte =
				(volatile uint64_t *)(p->pte_gva + 8 * pidx);

			/* Same value back: the mapping does not change. */
			*pte = *pte;
			invlpg(p->data_gva + (pidx << GUEST_PAGE_SHIFT));
			pidx += 513;	/* next PT page, next slot */
			while (pidx >= p->nframes)
				pidx -= p->nframes;
			rep->pt_writes = ++ptws;
			next_ptw += p->ptw_cycles;
			if (next_ptw < now)
				next_ptw = now + p->ptw_cycles;
		}
		if (ctl->stop)
			break;
		if (ctl->pause_req != seen) {
			pause_point(ctl, rep, &seen, &paused);
			phase = ctl->phase;
			if (phase >= GUEST_MAX_PHASES)
				phase = 0;
			ls.off = p->phase_off[phase];
		}
	}

	rep->checksum = ls.sum;
	rep->tsc_now = rdtsc();
	rep->state = GUEST_STATE_DONE;
	outl(GUEST_PORT_DONE, (uint32_t)id);
	halt_forever();
}
