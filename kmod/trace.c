// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - defines the tracepoints declared in trace.h (kvm_ept_sample:*).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
