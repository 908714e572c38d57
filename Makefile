# Makefile - eptscope's top-level build: user-space tools, kernel modules,
# tests, experiments and installation. `make help` lists the targets.

SHELL := /bin/bash
ROOT := $(CURDIR)

# User-space parts: each directory's Makefile builds its programs in place.
USER_DIRS := workload analysis kvmstat tier tests/progs
# Kernel-module directories (each has a Kbuild file).
KMOD_DIRS := kmod tests/kmod

# The kernel the modules are built for: the running one unless told.
KDIR ?= /lib/modules/$(shell uname -r)/build
# The lab's kernel (chosen by lab/setup, or LAB_ABI=...).
LAB_ABI ?= $(shell cat lab/cache/abi 2>/dev/null)
LAB_KDIR := /lib/modules/$(LAB_ABI)/build

PREFIX ?= /usr/local
# The installed tools: each PATH here is installed as bin/eptscope-NAME
# (NAME its file name), with its man page, found beside it by that name:
# DIR/eptscope-NAME.1 or .8, into share/man/man1 or man8.
TOOLS := workload/guest analysis/eptsample analysis/damon-capture \
	analysis/histo analysis/hotness analysis/xval analysis/wss analysis/heatmap \
	analysis/placement tier/tier \
	kvmstat/kvmstat
TAPSET_DIR ?= /usr/share/systemtap/tapset/linux
PROVE ?= prove --failures --comments
# make experiment: E=NAME runs one experiment (or several, space-separated),
# OUT=DIR writes a scratch run into DIR, FRESH=1 records a fresh machine.
E ?=
OUT ?=
FRESH ?=
HOST ?=

.PHONY: all user kmods lab check check-host check-lab setup experiment \
	install tools clean help

all: user kmods ## Build everything this machine can build; say what is skipped

user: ## Build the user-space tools (workload/, analysis/, kvmstat/, tier/)
	@for d in $(USER_DIRS); do \
		if [ -f $$d/Makefile ]; then $(MAKE) -s -C $$d all || exit 1; \
		else echo "make: skipping $$d: not written yet"; fi; \
	done

kmods: ## Build the kernel modules for KDIR (default: the running kernel)
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "make: skipping kernel modules: no kernel build tree at $(KDIR)"; \
		echo "      (install linux-headers-$$(uname -r), set KDIR=..., or 'make lab' for the lab kernel)"; \
	else \
		for d in $(KMOD_DIRS); do \
			if [ -f $$d/Kbuild ]; then \
				$(MAKE) -s -C "$(KDIR)" M=$(ROOT)/$$d modules >/dev/null || exit 1; \
			else echo "make: skipping $$d: not written yet"; fi; \
		done; \
	fi

lab: ## Build the tools, and the modules for the lab kernel
	@[ -n "$(LAB_ABI)" ] || { echo "make: the lab is not set up: run lab/setup"; exit 1; }
	@$(MAKE) -s user
	@$(MAKE) -s kmods KDIR=$(LAB_KDIR)

setup: ## Install host packages and the lab kernel (lab/setup)
	@lab/setup

FUZZ_SECONDS ?= 5

check: setup ## Run every test: host, sanitizer, short fuzz, and lab tests
	@$(MAKE) -s lab
	@echo "== analysis tests under ASan/UBSan"
	@$(MAKE) -s -C analysis sanitize
	@echo "== short fuzz run ($(FUZZ_SECONDS) s per parser)"
	@$(MAKE) -s -C analysis fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
	@echo "== all tests"
	@$(PROVE) -r tests/host tests/lab

check-host: ## Run only the host tests
	@$(MAKE) -s user
	@$(PROVE) -r tests/host

check-lab: setup ## Run only the lab tests
	@$(MAKE) -s lab
	@$(PROVE) -r tests/lab

experiment: ## Run the experiments in the lab, setup included. E=name: only those; OUT=dir: a scratch run into dir; FRESH=1: record a fresh machine; HOST=1: on this host's own KVM (hardware figures, into results.host/)
	@experiments/run --setup $(if $(FRESH),--fresh-machine) $(if $(HOST),--host) $(if $(OUT),--out '$(OUT)') $(E)

install: all ## Install tools, their man pages, tapsets, and the module (through DKMS if present)
	@install -d $(DESTDIR)$(PREFIX)/bin
	@for p in $(TOOLS); do \
		[ -x $$p ] || continue; \
		n=eptscope-$$(basename $$p); \
		install -m 755 $$p $(DESTDIR)$(PREFIX)/bin/$$n || exit 1; \
		for m in $$(dirname $$p)/$$n.[18]; do \
			[ -f $$m ] || continue; \
			install -D -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$$n.$${m##*.} || exit 1; \
		done; \
	done
	@# stap searches its tapset directory and linux/ (and arch/version
	@# subdirectories) but not other subdirectories: install into linux/,
	@# with a prefix against name clashes.
	@if ls tapsets/*.stp >/dev/null 2>&1; then \
		install -d $(DESTDIR)$(TAPSET_DIR) && \
		for t in tapsets/*.stp; do \
			install -m 644 $$t $(DESTDIR)$(TAPSET_DIR)/eptscope_$$(basename $$t) || exit 1; \
		done; fi
	@# DKMS installs into this machine's own trees: not with DESTDIR (a
	@# staged install, for a package).
	@if [ -n "$(DESTDIR)" ]; then \
		echo "make: not installing the module through DKMS: DESTDIR is set (a staged install)"; \
	elif [ -f kmod/dkms.conf ] && command -v dkms >/dev/null; then \
		kmod/dkms-install; \
	else echo "make: not installing the module: no DKMS or no kmod/dkms.conf"; fi

clean: ## Remove build products (not the lab cache)
	@for d in $(USER_DIRS); do [ -f $$d/Makefile ] && $(MAKE) -s -C $$d clean || true; done
	@for d in $(KMOD_DIRS); do \
		rm -f $$d/*.o $$d/*.ko $$d/*.mod $$d/*.mod.c $$d/.*.cmd $$d/modules.order $$d/Module.symvers; \
	done
	@rm -rf build

tools: ## List the tools make install installs (their paths here)
	@echo $(TOOLS)

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14
