/*
 * seccomp_policy.c - the box's system call policy, made from one table
 * (policy_table.c, which says what each rule does and why) in two forms:
 *
 *  - the filter: the table's rules for one combination of policy flags,
 *    added to libseccomp and exported as the BPF program the box loads
 *    (hx_policy_build);
 *  - the supervisor's re-check: the same rules evaluated in C on the
 *    notification's arch, number and arguments (hx_policy_decide), which
 *    tells the tracer whether to deny, check a kill target, gate or trace.
 *
 * Both read every field of a rule the same way: a rule applies when the
 * policy has all its `needs` flags and the run's mode is in its `modes`;
 * it matches when all its argument conditions hold, compared over 64 bits
 * as libseccomp compares them. tests/unit/test_policy.c runs the exported
 * BPF through an interpreter next to hx_policy_decide and checks that they
 * agree on every rule under every flag combination.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

unsigned hx_policy_flags(const struct hx_config *cfg, bool full)
{
	unsigned flags = 0;

	if (cfg->trace & HX_TRACE_EVENTS)
		flags |= HX_POLICY_TRACE;
	if (cfg->trace & HX_TRACE_HOT)
		flags |= HX_POLICY_TRACE | HX_POLICY_TRACE_HOT;
	if (!full)
		flags |= HX_POLICY_CHECK_KILL;
	if (cfg->jitter_max_us)
		flags |= HX_POLICY_TRACE | HX_POLICY_START_GATE;
	if (hx_time_scale_on(cfg))
		flags |= HX_POLICY_TIME_SCALE;
	if (cfg->trace & HX_TRACE_FDS)
		flags |= HX_POLICY_EXIT;
	/* Loads the eBPF program the first time a traced run asks. */
	if ((flags & HX_POLICY_TRACE) && hx_ebpf_for_run(cfg))
		flags |= HX_POLICY_EBPF;
	return flags;
}

/* Whether a rule is part of the policy of these flags. */
static bool rule_applies(const struct hx_policy_rule *r, unsigned flags)
{
	unsigned mode = (flags & HX_POLICY_CHECK_KILL) ? HX_IN_REDUCED : HX_IN_FULL;

	return (flags & r->needs) == r->needs && !(flags & r->unless) && (r->modes & mode);
}

static bool cond_holds(const struct hx_arg_cond *c, const uint64_t args[6])
{
	uint64_t a = args[c->arg];

	switch (c->op) {
	case HX_ARG_NONE: return true;
	case HX_ARG_EQ: return a == c->value;
	case HX_ARG_NE: return a != c->value;
	case HX_ARG_MASKED_EQ: return (a & c->mask) == c->value;
	}
	return false;
}

static bool conds_hold(const struct hx_policy_rule *r, const uint64_t args[6])
{
	for (size_t i = 0; i < HX_RULE_CONDS; i++)
		if (!cond_holds(&r->cond[i], args))
			return false;
	return true;
}

/* ---- the filter ---------------------------------------------------------- */

static int add_rule(scmp_filter_ctx ctx, const struct hx_policy_rule *r)
{
	static const enum scmp_compare ops[] = {
		[HX_ARG_EQ] = SCMP_CMP_EQ, [HX_ARG_NE] = SCMP_CMP_NE,
		[HX_ARG_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};
	struct scmp_arg_cmp cmp[HX_RULE_CONDS];
	unsigned n = 0;

	for (size_t i = 0; i < HX_RULE_CONDS; i++) {
		const struct hx_arg_cond *c = &r->cond[i];

		if (c->op == HX_ARG_NONE)
			continue;
		if ((size_t)c->op >= HX_ARRAY_SIZE(ops) || c->arg > 5)
			return -EINVAL;
		cmp[n].arg = c->arg;
		cmp[n].op = ops[c->op];
		cmp[n].datum_a = c->op == HX_ARG_MASKED_EQ ? c->mask : c->value;
		cmp[n].datum_b = c->op == HX_ARG_MASKED_EQ ? c->value : 0;
		n++;
	}
	switch (r->action) {
	case HX_SC_ERRNO:
		return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)r->errnum), r->nr, n, cmp);
	case HX_SC_DENY:
	case HX_SC_PERMIT:
	case HX_SC_TRACE:
	case HX_SC_HOT:
	case HX_SC_SLEEP:
	case HX_SC_START_GATE:
	case HX_SC_KILL_CHECK:
		return seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, r->nr, n, cmp);
	case HX_SC_ALLOW:
		break;
	}
	return -EINVAL;		/* ALLOW is the default, never a rule */
}

#define TRY(expr) do { rc = (expr); if (rc < 0) goto out; } while (0)

int hx_policy_build(unsigned flags, struct hx_policy *p, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = 0, memfd = -1;
	char step[64] = "init";

	memset(p, 0, sizeof(*p));
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return hx_fail(err, errlen, ENOMEM, "seccomp_init failed");

	/* i386 (int 0x80) and x32 calls are "bad arch" for a native filter:
	 * send them to the supervisor too, which denies and counts them. */
	snprintf(step, sizeof(step), "bad-arch action");
	TRY(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY));
	/* We set no_new_privs ourselves and load the exported program. */
	TRY(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0));

	for (size_t i = 0; i < hx_policy_nrules; i++) {
		const struct hx_policy_rule *r = &hx_policy_rules[i];

		if (!rule_applies(r, flags))
			continue;
		rc = add_rule(ctx, r);
		if (rc < 0) {
			const char *name = hx_syscall_name(r->nr);

			snprintf(step, sizeof(step), "rule %zu, %s", i + 1, name ? name : "?");
			goto out;
		}
	}

	/* Export the BPF program: the child loads it with seccomp(2) itself,
	 * to pass SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, which libseccomp
	 * 2.5 cannot. */
	snprintf(step, sizeof(step), "export");
	memfd = memfd_create("ipcgrade-bpf", MFD_CLOEXEC);
	if (memfd < 0) {
		rc = -errno;
		goto out;
	}
	TRY(seccomp_export_bpf(ctx, memfd));
	off_t size = lseek(memfd, 0, SEEK_END);

	if (size <= 0 || size % 8 != 0) {
		rc = -EINVAL;
		goto out;
	}
	p->bpf = malloc((size_t)size);
	if (!p->bpf) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(memfd, p->bpf, (size_t)size, 0) != size) {
		rc = -EIO;
		goto out;
	}
	p->bpf_len = (size_t)size / 8;	/* sizeof(struct sock_filter) */
	rc = 0;
out:
	if (memfd >= 0)
		close(memfd);
	seccomp_release(ctx);
	if (rc < 0) {
		hx_policy_release(p);
		return hx_fail(err, errlen, rc, "cannot build the seccomp policy (%s): %s",
			       step, strerror(-rc));
	}
	return 0;
}

void hx_policy_release(struct hx_policy *p)
{
	free(p->bpf);
	p->bpf = NULL;
	p->bpf_len = 0;
}

/*
 * Read from the table once: the hot calls (for hx_policy_hot_calls) and,
 * for the re-check, the rules of each syscall number in table order (a
 * notification then looks at its own few rules, not the whole table). A
 * table that does not fit the index is searched whole.
 */
#define INDEX_NRS 1024
#define INDEX_RULES 1024
static int hot_calls[32];
static size_t nhot_calls;
static short first_rule[INDEX_NRS];	/* of each number; -1: none */
static short next_rule[INDEX_RULES];	/* of the same number; -1: none */
static bool indexed;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void read_table(void)
{
	for (size_t i = 0; i < hx_policy_nrules && nhot_calls < HX_ARRAY_SIZE(hot_calls); i++)
		if (hx_policy_rules[i].action == HX_SC_HOT)
			hot_calls[nhot_calls++] = hx_policy_rules[i].nr;
	if (hx_policy_nrules > INDEX_RULES)
		return;
	for (size_t nr = 0; nr < INDEX_NRS; nr++)
		first_rule[nr] = -1;
	for (size_t i = hx_policy_nrules; i-- > 0;) {
		int nr = hx_policy_rules[i].nr;

		if (nr < 0 || nr >= INDEX_NRS)
			return;
		next_rule[i] = first_rule[nr];
		first_rule[nr] = (short)i;
	}
	indexed = true;
}

const int *hx_policy_hot_calls(size_t *n)
{
	pthread_once(&table_once, read_table);
	*n = nhot_calls;
	return hot_calls;
}

/* ---- the supervisor's re-check ------------------------------------------- */

const char *hx_syscall_name(int nr)
{
	/* A small static cache: names are looked up for reports only. */
	static __thread struct {
		int nr;
		char name[32];
	} cache[64];
	static __thread unsigned next;

	for (size_t i = 0; i < HX_ARRAY_SIZE(cache); i++)
		if (cache[i].name[0] && cache[i].nr == nr)
			return cache[i].name;
	char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	if (!n)
		return NULL;
	unsigned slot = next++ % HX_ARRAY_SIZE(cache);

	cache[slot].nr = nr;
	snprintf(cache[slot].name, sizeof(cache[slot].name), "%s", n);
	free(n);
	return cache[slot].name;
}

static const char *family_name(uint64_t f)
{
	switch (f) {
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_VSOCK: return "AF_VSOCK";
	case AF_BLUETOOTH: return "AF_BLUETOOTH";
	}
	return NULL;
}

static void name_denial(const struct hx_policy_rule *r, const uint64_t args[6],
			char *name, size_t size)
{
	const char *call = hx_syscall_name(r->nr);
	const char *family;

	if (!call)
		call = "?";
	switch (r->naming) {
	case HX_NAMED_LABEL:
		snprintf(name, size, "%s(%s)", call, r->label ? r->label : "?");
		break;
	case HX_NAMED_FAMILY:
		family = family_name(args[0]);
		if (family)
			snprintf(name, size, "%s(%s)", call, family);
		else
			snprintf(name, size, "%s(family %llu)", call, (unsigned long long)args[0]);
		break;
	case HX_NAMED_CALL:
	default:
		snprintf(name, size, "%s", call);
		break;
	}
}

/* The filter's bad-arch path, as libseccomp emits it for a native x86_64
 * filter: another arch, or a number at or above the x32 bit (but -1, which
 * is no call at all). */
static bool bad_arch(uint32_t arch, int nr, char *name, size_t size)
{
	if (arch == AUDIT_ARCH_X86_64 && ((uint32_t)nr < __X32_SYSCALL_BIT || nr == -1))
		return false;
	if (arch == AUDIT_ARCH_I386)
		snprintf(name, size, "i386 syscall %d", nr);
	else if (arch != AUDIT_ARCH_X86_64)
		snprintf(name, size, "arch %#x syscall %d", arch, nr);
	else if (nr & __X32_SYSCALL_BIT)
		snprintf(name, size, "x32 syscall %d", nr & ~__X32_SYSCALL_BIT);
	else
		snprintf(name, size, "syscall %#x", (unsigned)nr);
	return true;
}

enum hx_syscall_class hx_policy_decide(unsigned flags, uint32_t arch, int nr,
				       const uint64_t args[6], char *name, size_t size)
{
	const struct hx_policy_rule *best = NULL;

	if (size)
		name[0] = '\0';
	if (bad_arch(arch, nr, name, size))
		return HX_SC_DENY;
	/* The first rule of the highest class wins: of two namespace flags,
	 * the report names the one listed first. */
	pthread_once(&table_once, read_table);
	long i = !indexed ? 0 : nr >= 0 && nr < INDEX_NRS ? first_rule[nr] : -1;

	for (; i >= 0 && (size_t)i < hx_policy_nrules; i = indexed ? next_rule[i] : i + 1) {
		const struct hx_policy_rule *r = &hx_policy_rules[i];

		if (r->nr == nr && (!best || r->action > best->action) && rule_applies(r, flags) &&
		    conds_hold(r, args))
			best = r;
	}
	if (!best)
		return HX_SC_ALLOW;
	if (best->action == HX_SC_DENY)
		name_denial(best, args, name, size);
	return best->action;
}

bool hx_policy_denies(int nr, const uint64_t args[6], char *name, size_t size)
{
	for (unsigned flags = 0; flags < HX_POLICY_COMBINATIONS; flags++)
		if (hx_policy_decide(flags, AUDIT_ARCH_X86_64, nr, args, name, size) == HX_SC_DENY)
			return true;
	return false;
}

const char *hx_policy_why(int nr)
{
	for (size_t i = 0; i < hx_policy_nrules; i++)
		if (hx_policy_rules[i].nr == nr && hx_policy_rules[i].action == HX_SC_DENY)
			return hx_policy_rules[i].why;
	return NULL;
}
