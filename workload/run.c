// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - one host thread per vCPU (named "CPU n/KVM" like QEMU's) looping
 * on KVM_RUN, and the main thread's clock: phase changes behind a pause
 * barrier (so each dirty-log harvest belongs to exactly one phase), then
 * stop, and the report of what the guest measured.  A guest exception
 * (GUEST_PORT_EXCEPTION) is decoded from the frame its stub left on the
 * exception stack.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "layout.h"
#include "run.h"

static volatile int g_abort;
static volatile int g_finished;		/* vCPU threads that returned */
static const struct vm *g_vm;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

static __attribute__((format(printf, 2, 3)))
void vcpu_fail(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->err, sizeof(v->err), fmt, ap);
	va_end(ap);
}

static const char *exc_name(uint64_t v)
{
	static const char *const names[GUEST_IDT_VECTORS] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
		"coprocessor segment overrun", "#TS", "#NP", "#SS", "#GP", "#PF",
		"reserved", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};

	if (v < GUEST_IDT_VECTORS && names[v])
		return names[v];
	return "reserved";
}

/*
 * The guest took exception `vector`: its stub is halted at the OUT, with
 * RSP at the struct guest_exc_frame it built.  One line says what and
 * where (and in which region RIP, RSP and CR2 lie); v->regs gets the
 * general registers at the time of the exception.
 */
static void report_exception(struct vcpu *v, uint32_t vector)
{
	const struct layout *l = g_vm->layout;
	struct guest_exc_frame fr;
	struct kvm_regs r;
	struct kvm_sregs sr;

	memset(&r, 0, sizeof(r));
	memset(&sr, 0, sizeof(sr));
	ioctl(v->fd, KVM_GET_REGS, &r);
	ioctl(v->fd, KVM_GET_SREGS, &sr);
	if (r.rsp > g_vm->ram_size || g_vm->ram_size - r.rsp < sizeof(fr)) {
		vcpu_fail(v, "guest exception vector=%u (%s), frame unreadable at rsp=0x%llx",
			  vector, exc_name(vector), (unsigned long long)r.rsp);
		return;
	}
	memcpy(&fr, g_vm->ram + r.rsp, sizeof(fr));
	vcpu_fail(v, "guest exception vector=%llu (%s) error=0x%llx rip=0x%llx (%s) cs=0x%llx rflags=0x%llx rsp=0x%llx (%s) cr2=0x%llx (%s) cr3=0x%llx",
		  (unsigned long long)fr.vector, exc_name(fr.vector),
		  (unsigned long long)fr.error, (unsigned long long)fr.rip,
		  layout_region_of(l, fr.rip), (unsigned long long)fr.cs,
		  (unsigned long long)fr.rflags, (unsigned long long)fr.rsp,
		  layout_region_of(l, fr.rsp), (unsigned long long)sr.cr2,
		  layout_region_of(l, sr.cr2), (unsigned long long)sr.cr3);
	snprintf(v->regs, sizeof(v->regs),
		 "rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx rbp=0x%llx r8=0x%llx r9=0x%llx r10=0x%llx r11=0x%llx r12=0x%llx r13=0x%llx r14=0x%llx r15=0x%llx",
		 (unsigned long long)fr.rax, (unsigned long long)r.rbx,
		 (unsigned long long)r.rcx, (unsigned long long)r.rdx,
		 (unsigned long long)r.rsi, (unsigned long long)r.rdi,
		 (unsigned long long)r.rbp, (unsigned long long)r.r8,
		 (unsigned long long)r.r9, (unsigned long long)r.r10,
		 (unsigned long long)r.r11, (unsigned long long)r.r12,
		 (unsigned long long)r.r13, (unsigned long long)r.r14,
		 (unsigned long long)r.r15);
}

static void handle_exits(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	for (;;) {
		if (g_abort) {
			snprintf(v->err, sizeof(v->err),
				 "stopped by the host (guest did not finish)");
			return;
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(v->err, sizeof(v->err), "KVM_RUN: %s",
				 strerror(errno));
			return;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint32_t val = 0;

			v->io_exits++;
			memcpy(&val, (uint8_t *)run + run->io.data_offset,
			       run->io.size < 4 ? run->io.size : 4);
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == GUEST_PORT_DONE) {
				v->ok = 1;
				return;
			}
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == GUEST_PORT_EXCEPTION) {
				report_exception(v, val);
				return;
			}
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == GUEST_PORT_COUNT && v->mmio_gpa)
				continue;
			if (run->io.port == GUEST_PORT_PANIC) {
				vcpu_fail(v, "guest panic, code %u", val);
				return;
			}
			vcpu_fail(v, "unexpected port I/O to 0x%x (value %u)",
				  run->io.port, val);
			return;
		}
		case KVM_EXIT_SHUTDOWN:
			/*
			 * KVM resets the vCPU on a shutdown (RIP becomes the
			 * reset vector), so there are no registers to show.
			 * With the IDT in place, a shutdown means the CPU
			 * could not even deliver an exception to its stub.
			 */
			vcpu_fail(v, "guest triple fault (shutdown): an exception could not be delivered through the guest's IDT (KVM has reset the vCPU, so its registers are lost)");
			return;
		case KVM_EXIT_HLT:
			v->hlt_exits++;
			if (v->mmio_gpa)	/* --exits */
				continue;
			vcpu_fail(v, "guest halted unexpectedly");
			return;
		case KVM_EXIT_MMIO:
			v->mmio_exits++;
			if (v->mmio_gpa && run->mmio.is_write &&
			    run->mmio.phys_addr - v->mmio_gpa < (2ULL << 20))
				continue;
			vcpu_fail(v, "guest MMIO access at gpa 0x%llx (len %u): outside guest RAM",
				  (unsigned long long)run->mmio.phys_addr,
				  run->mmio.len);
			return;
		case KVM_EXIT_FAIL_ENTRY:
			vcpu_fail(v, "KVM_RUN entry failed, hardware reason 0x%llx",
				  (unsigned long long)
				  run->fail_entry.hardware_entry_failure_reason);
			return;
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_fail(v, "KVM internal error, suberror %u",
				  run->internal.suberror);
			return;
		default:
			vcpu_fail(v, "unexpected exit reason %u", run->exit_reason);
			return;
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char name[16];

	snprintf(name, sizeof(name), "CPU %d/KVM", v->id);
	pthread_setname_np(pthread_self(), name);
	v->tid = gettid();
	handle_exits(v);
	__atomic_add_fetch(&g_finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int any_failed(const struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpu[i].err[0])
			return 1;
	return 0;
}

/* Wait until every live vCPU acknowledged pause generation `gen`. */
static int wait_acks(struct vm *vm, struct guest_shared *sh, uint32_t gen)
{
	double deadline = now_s() + 10;
	int i, all;

	do {
		all = 1;
		for (i = 0; i < vm->nvcpus; i++)
			if (sh->report[i].ack != gen && !vm->vcpu[i].err[0] &&
			    !vm->vcpu[i].ok)
				all = 0;
		if (all)
			return 0;
		sleep_s(0.0005);
	} while (now_s() < deadline);
	return -1;
}

/* Per-vCPU throughput since the last tick, from the guest's own counters. */
static void tick(FILE *out, struct vm *vm, struct guest_shared *sh, double t,
		 uint64_t *last_acc, uint64_t *last_tsc)
{
	double hz = (double)vm->tsc_khz * 1000;
	int i;

	for (i = 0; i < vm->nvcpus; i++) {
		struct guest_report *r = &sh->report[i];
		uint64_t acc = r->accesses, tsc = r->tsc_now - r->paused_cycles;
		double dt = (double)(tsc - last_tsc[i]) / hz;

		fprintf(out, "tick t=%.3f vcpu=%d accesses=%llu rate=%.0f\n", t, i,
			(unsigned long long)acc,
			dt > 0 ? (double)(acc - last_acc[i]) / dt : 0.0);
		last_acc[i] = acc;
		last_tsc[i] = tsc;
	}
	fflush(out);
}

static void report(FILE *out, struct vm *vm, struct guest_shared *sh,
		   const struct options *o, int phase_changes, double wall)
{
	double hz = (double)vm->tsc_khz * 1000, total_rate = 0;
	unsigned long long total = 0, io = 0, mmio = 0, hlt = 0;
	int i;

	for (i = 0; i < vm->nvcpus; i++) {
		struct guest_report *r = &sh->report[i];
		double secs = r->tsc_now > r->tsc_start ?
			(double)(r->tsc_now - r->tsc_start - r->paused_cycles) / hz : 0;
		double rate = secs > 0 ? (double)r->accesses / secs : 0;

		fprintf(out, "vcpu id=%d tid=%d accesses=%llu reads=%llu writes=%llu execs=%llu seconds=%.3f rate=%.0f cr3_switches=%llu pt_writes=%llu paused_s=%.4f state=%s\n",
			i, (int)vm->vcpu[i].tid, (unsigned long long)r->accesses,
			(unsigned long long)r->reads, (unsigned long long)r->writes,
			(unsigned long long)r->execs, secs, rate,
			(unsigned long long)r->cr3_switches,
			(unsigned long long)r->pt_writes,
			(double)r->paused_cycles / hz,
			vm->vcpu[i].ok ? "done" : "failed");
		total += r->accesses;
		total_rate += rate;
		io += vm->vcpu[i].io_exits;
		mmio += vm->vcpu[i].mmio_exits;
		hlt += vm->vcpu[i].hlt_exits;
	}
	/* --exits: what went to this VMM, the asked exits plus the guest's
	 * own ports (one GUEST_PORT_DONE per vCPU). Hypercalls stay in KVM. */
	if (o->exits)
		fprintf(out, "exits asked=%d io=%llu mmio=%llu hlt=%llu hypercalls_asked=%d\n",
			o->exits, io, mmio, hlt, o->exits);
	/* --halts: the HLTs vCPU 0 executed, which KVM handled itself. */
	if (o->halts)
		fprintf(out, "halts asked=%d hlt=%llu long=%d short_ns=%d long_ns=%d\n",
			o->halts, (unsigned long long)sh->report[0].halts,
			o->halts / GUEST_HALT_LONG_EVERY, GUEST_HALT_SHORT_NS,
			GUEST_HALT_LONG_NS);
	fprintf(out, "total vcpus=%d accesses=%llu rate=%.0f wall_s=%.3f phase_changes=%d tsc_khz=%llu pattern=%s\n",
		vm->nvcpus, total, total_rate, wall, phase_changes,
		(unsigned long long)vm->tsc_khz, o->pat.spec);
}

int run_vm(struct vm *vm, struct guest_shared *sh, const struct options *o,
	   struct dirtylog *dl, FILE *out)
{
	struct sigaction sa;
	double t0, end, next_phase, next_tick, wait_until;
	uint64_t last_acc[GUEST_MAX_VCPUS], last_tsc[GUEST_MAX_VCPUS];
	int i, phase = 0, changes = 0, failed = 0, nstarted = 0;
	uint32_t gen = 0;

	g_vm = vm;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;	/* no SA_RESTART: KVM_RUN gets EINTR */
	sigaction(SIGUSR1, &sa, NULL);

	for (i = 0; i < vm->nvcpus; i++) {
		/* --exits: the MMIO page is the 2 MiB past the slot. */
		vm->vcpu[i].mmio_gpa = o->exits ? vm->ram_size : 0;
		if (pthread_create(&vm->vcpu[i].thread, NULL, vcpu_thread,
				   &vm->vcpu[i])) {
			fprintf(stderr, "guest: cannot start vCPU thread %d\n", i);
			g_abort = 1;
			failed = 1;
			break;
		}
		vm->vcpu[i].started = 1;
		nstarted++;
	}
	/* Wait until every vCPU is warmed up and ready, then start them. */
	t0 = now_s();
	while (!failed && !any_failed(vm)) {
		int ready = 0;

		for (i = 0; i < vm->nvcpus; i++)
			ready += sh->report[i].state != GUEST_STATE_NEW;
		if (ready == vm->nvcpus)
			break;
		if (now_s() > t0 + 3600) {
			fprintf(stderr, "guest: the vCPUs did not get ready in an hour\n");
			failed = 1;
		}
		sleep_s(0.001);
	}
	/*
	 * The warmup only read, but KVM maps a read fault writable (and logs
	 * it dirty) when the host page is writable: drop that harvest, so the
	 * dirty log holds exactly the timed run's writes.
	 */
	if (dl && o->warmup && !failed && dirtylog_harvest(dl, -1))
		failed = 1;
	__atomic_store_n(&sh->ctl.go, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < vm->nvcpus && !failed; i++)
		while (sh->report[i].state == GUEST_STATE_READY &&
		       !vm->vcpu[i].err[0])
			sleep_s(0.0002);
	fprintf(out, "running pid=%d vm_fd=%d vcpus=%d\n", (int)getpid(),
		vm->vm_fd, vm->nvcpus);
	for (i = 0; i < vm->nvcpus; i++)
		fprintf(out, "vcpu_thread id=%d tid=%d\n", i, (int)vm->vcpu[i].tid);
	fflush(out);

	for (i = 0; i < vm->nvcpus; i++) {
		last_acc[i] = sh->report[i].accesses;
		last_tsc[i] = sh->report[i].tsc_now - sh->report[i].paused_cycles;
	}
	t0 = now_s();
	end = t0 + o->seconds;
	next_tick = o->interval > 0 ? t0 + o->interval : end + 1;
	next_phase = o->pat.nphases > 1 ? t0 + o->pat.every : end + 1;
	while (!failed && !any_failed(vm)) {
		double now = now_s();

		if (now >= end)
			break;
		if (now >= next_phase) {
			int np = (phase + 1) % o->pat.nphases;

			gen++;
			__atomic_store_n(&sh->ctl.pause_req, gen, __ATOMIC_SEQ_CST);
			if (wait_acks(vm, sh, gen)) {
				fprintf(stderr, "guest: vCPUs did not pause for the phase change\n");
				failed = 1;
			}
			if (dl && dirtylog_harvest(dl, phase))
				failed = 1;
			sh->ctl.phase = (uint32_t)np;
			__atomic_store_n(&sh->ctl.release, gen, __ATOMIC_SEQ_CST);
			phase = np;
			changes++;
			fprintf(out, "phase t=%.3f phase=%d\n", now - t0, phase);
			fflush(out);
			next_phase += o->pat.every;
			continue;
		}
		if (now >= next_tick) {
			tick(out, vm, sh, now - t0, last_acc, last_tsc);
			next_tick += o->interval;
			continue;
		}
		wait_until = next_phase < end ? next_phase : end;
		if (next_tick < wait_until)
			wait_until = next_tick;
		sleep_s(wait_until - now < 0.02 ? wait_until - now : 0.02);
	}
	__atomic_store_n(&sh->ctl.stop, 1, __ATOMIC_SEQ_CST);

	/* Let the guest finish its batch; then interrupt whoever is stuck. */
	wait_until = now_s() + 15;
	while (g_finished < nstarted && now_s() < wait_until)
		sleep_s(0.005);
	if (g_finished < nstarted) {
		g_abort = 1;
		while (g_finished < nstarted) {
			for (i = 0; i < vm->nvcpus; i++)
				if (vm->vcpu[i].started)
					pthread_kill(vm->vcpu[i].thread, SIGUSR1);
			sleep_s(0.05);
		}
	}
	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpu[i].started)
			pthread_join(vm->vcpu[i].thread, NULL);
	if (dl && dirtylog_harvest(dl, phase))
		failed = 1;

	report(out, vm, sh, o, changes, now_s() - t0);
	for (i = 0; i < vm->nvcpus; i++) {
		if (!vm->vcpu[i].ok) {
			fprintf(stderr, "guest: vCPU %d: %s\n", i,
				vm->vcpu[i].err[0] ? vm->vcpu[i].err : "did not finish");
			if (vm->vcpu[i].regs[0])
				fprintf(stderr, "guest: vCPU %d: registers %s\n", i,
					vm->vcpu[i].regs);
			failed = 1;
		}
	}
	return failed ? -1 : 0;
}
