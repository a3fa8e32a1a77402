// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's floors: programs at the points the tracer uses, so that the cost of a BPF
 * trampoline or tracepoint call itself is measured in the same run and the tracer is judged by
 * what it adds on top.
 *   floor        empty programs;
 *   floor+clock  the same, plus the two bpf_ktime_get_ns() reads any per-command latency
 *                histogram needs: at the start and at the end of the command (handler entry
 *                and exit on synchronous rows; handler entry and done() on queued rows, whose
 *                handler exit stays empty). What the clock returns is not kept: storing it is
 *                the tracer's business.
 * ioucmd-bench chooses the programs with set_autoload (make bench).
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("?fentry")
int BPF_PROG(floor_entry)
{
	return 0;
}

SEC("?fexit")
int BPF_PROG(floor_exit)
{
	return 0;
}

SEC("?fentry")
int BPF_PROG(floor_done)
{
	return 0;
}

SEC("?tp_btf/io_uring_submit_req")
int BPF_PROG(floor_submit)
{
	return 0;
}

SEC("?tp_btf/io_uring_complete")
int BPF_PROG(floor_complete)
{
	return 0;
}

/* the helper call is an external call: the compiler keeps it although its value is unused */
SEC("?fentry")
int BPF_PROG(clock_entry)
{
	bpf_ktime_get_ns();
	return 0;
}

SEC("?fexit")
int BPF_PROG(clock_exit)
{
	bpf_ktime_get_ns();
	return 0;
}

SEC("?fentry")
int BPF_PROG(clock_done)
{
	bpf_ktime_get_ns();
	return 0;
}

SEC("?tp_btf/io_uring_submit_req")
int BPF_PROG(clock_submit)
{
	bpf_ktime_get_ns();
	return 0;
}

SEC("?tp_btf/io_uring_complete")
int BPF_PROG(clock_complete)
{
	bpf_ktime_get_ns();
	return 0;
}
