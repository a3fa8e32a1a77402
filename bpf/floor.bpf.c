// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's floor: empty programs at the points the tracer uses, so that the cost of a
 * BPF trampoline or tracepoint call itself is measured in the same run and the tracer is judged
 * by what it adds on top (make bench, issue 9).
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
