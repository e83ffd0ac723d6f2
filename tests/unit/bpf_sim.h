/*
 * bpf_sim.h - a classic-BPF interpreter for seccomp filters, for tests.
 *
 * It runs what libseccomp emits for the box's policy -- 32-bit loads from
 * struct seccomp_data, AND with a constant, jumps on a comparison with a
 * constant, RET of a constant -- and nothing else: any other opcode, a
 * load outside struct seccomp_data or not 4-byte aligned, a jump past the
 * end, or a program that ends without RET is an error, so a filter this
 * interpreter does not understand fails the test instead of passing it.
 * `hit` (one byte per instruction, may be NULL) records which
 * instructions ran, for a coverage check.
 */
#ifndef IPCGRADE_BPF_SIM_H
#define IPCGRADE_BPF_SIM_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* 0, with *ret the filter's verdict (SECCOMP_RET_*), or -1 with err set. */
static inline int bpf_sim_run(const struct sock_filter *prog, size_t len,
			      const struct seccomp_data *d, uint32_t *ret,
			      unsigned char *hit, char *err, size_t errlen)
{
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < len) {
		const struct sock_filter *in = &prog[pc];
		size_t next = pc + 1;
		int cond = -1;

		if (hit)
			hit[pc] = 1;
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (in->k % 4 || in->k > sizeof(*d) - 4) {
				snprintf(err, errlen, "instruction %zu loads offset %u, outside seccomp_data",
					 pc, in->k);
				return -1;
			}
			memcpy(&a, (const char *)d + in->k, sizeof(a));
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= in->k;
			break;
		case BPF_JMP | BPF_JA:
			next += in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			cond = a == in->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			cond = a > in->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			cond = a >= in->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			cond = (a & in->k) != 0;
			break;
		case BPF_RET | BPF_K:
			*ret = in->k;
			return 0;
		default:
			snprintf(err, errlen, "instruction %zu has opcode %#x, which this interpreter "
				 "does not know", pc, in->code);
			return -1;
		}
		if (cond >= 0)
			next += cond ? in->jt : in->jf;
		if (next >= len) {
			snprintf(err, errlen, "instruction %zu jumps to %zu, past the end (%zu)", pc, next, len);
			return -1;
		}
		pc = next;
	}
	snprintf(err, errlen, "the program ends without RET");
	return -1;
}

#endif
