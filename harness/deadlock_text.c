/*
 * deadlock_text.c - a deadlock in words a student can act on (see
 * deadlock.c for the whole explainer, deadlock.h for what its files
 * share).
 *
 * Processes blocked on one object (the same pipe end, futex word,
 * semaphore, queue, FIFO) are described together, in one sentence:
 * "pids 2-7 all wait on the named semaphore /empty; only pid 1 could post
 * it, and it is blocked too (in read)." Sets of pids are said in
 * increasing order, runs of three or more as ranges, at most
 * SAY_PIDS_MAX items and the rest counted. What a sentence says of other
 * processes (the holders of a pipe's other end, the posters, the exited
 * ones that could have posted) comes from deadlock_graph.c; the word
 * "cycle" is used only when the wait-for graph has one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "deadlock.h"

/* ---- pids in words ---------------------------------------------------- */

/* The most pids a list names; the rest are counted. */
#define SAY_PIDS_MAX 12

/* "pid 2", "pids 2 and 3", "pids 2-7", "pids 2, 4 and 6-9": a set in
 * increasing order, runs of three or more as ranges. */
static void say_pids(struct hx_str *s, const struct hx_dl_pidset *ps)
{
	int items = 0, shown = 0;

	if (ps->n == 0)
		return;
	/* Count the items first, to place the final "and". */
	for (int i = 0; i < ps->n; items++) {
		int j = i;

		while (j + 1 < ps->n && ps->v[j + 1] == ps->v[j] + 1)
			j++;
		i = j - i >= 2 ? j + 1 : i + 1;
	}
	hx_str_printf(s, ps->n == 1 ? "pid " : "pids ");
	for (int i = 0, k = 0; i < ps->n; k++) {
		int j = i;

		while (j + 1 < ps->n && ps->v[j + 1] == ps->v[j] + 1)
			j++;
		if (k == SAY_PIDS_MAX) {
			hx_str_printf(s, " and %d more", ps->n - shown);
			return;
		}
		hx_str_printf(s, "%s", k == 0 ? "" : k == items - 1 ? " and " : ", ");
		if (j - i >= 2) {
			hx_str_printf(s, "%d-%d", ps->v[i], ps->v[j]);
			shown += j - i + 1;
			i = j + 1;
		} else {
			hx_str_printf(s, "%d", ps->v[i]);
			shown++;
			i++;
		}
	}
}

/* "pid 2 waits", "pids 2 and 3 both wait", "pids 2-7 all wait". */
static void say_subject(struct hx_str *s, const struct hx_dl_pidset *who, const char *one, const char *many)
{
	say_pids(s, who);
	hx_str_printf(s, "%s %s", who->n == 1 ? "" : who->n == 2 ? " both" : " all",
		      who->n == 1 ? one : many);
}

/* "pid 1", "pid 2 itself", "pid 1 and pids 2 and 3 themselves": the
 * processes of ps, those of own marked as the subject's own. */
static void say_holders(struct hx_str *s, const struct hx_dl_analysis *an, const struct hx_dl_pidset *ps,
			const struct hx_dl_pidset *own)
{
	struct hx_dl_pidset others, mine;

	hx_dl_pidset_init(&others, an);
	hx_dl_pidset_init(&mine, an);
	for (int i = 0; i < ps->n; i++)
		hx_dl_pidset_add(hx_dl_pidset_has(own, ps->v[i]) ? &mine : &others, ps->v[i]);
	say_pids(s, &others);
	if (others.n && mine.n)
		hx_str_printf(s, " and ");
	say_pids(s, &mine);
	if (mine.n)
		hx_str_printf(s, mine.n == 1 ? " itself" : " themselves");
	hx_dl_pidset_release(&others);
	hx_dl_pidset_release(&mine);
}

/* ---- the object in short --------------------------------------------- */

char *hx_dl_object_of(const struct hx_dl_node *nd, const struct hx_dl_pidset *kids)
{
	switch (nd->on) {
	case DL_ON_STOPPED: case DL_ON_SIGNAL: return hx_strdup("a signal");
	case DL_ON_CHILD:
		return kids->n ? hx_strdup_printf("child pid %d", kids->v[0]) : hx_strdup("a child");
	case DL_ON_FD: case DL_ON_PIPE: case DL_ON_SOCKET: return hx_strdup(nd->what);
	case DL_ON_FUTEX_PRIVATE: return hx_strdup_printf("private memory %#lx", (unsigned long)nd->sc.args[0]);
	case DL_ON_FUTEX_SHARED: {
		char name[160];

		if (nd->fkind == DL_FUTEX_SEMAPHORE && strncmp(nd->what, "the named semaphore ", 20) == 0)
			return hx_strdup_printf("semaphore %s", nd->what + 20);
		if (hx_dl_shm_name(nd, &nd->fmap, name, sizeof(name)))
			return hx_strdup_printf("shared memory /%s + %#lx", name, nd->foff);
		if (strncmp(nd->fmap.path, "/SYSV", 5) == 0)
			return hx_strdup_printf("System V shared memory key 0x%.8s + %#lx", nd->fmap.path + 5,
						nd->foff);
		return hx_strdup_printf("anonymous shared memory + %#lx", nd->foff);
	}
	case DL_ON_SEMOP: return hx_strdup_printf("System V semaphore set %d", nd->semid);
	case DL_ON_MSG: return hx_strdup_printf("System V message queue %d", (int)nd->sc.args[0]);
	case DL_ON_MQ: return hx_strdup(nd->what);
	case DL_ON_FIFO: return hx_strdup_printf("FIFO %s", nd->path);
	case DL_ON_OTHER: break;
	}
	return hx_strdup("-");
}

/* What a blocked pid is doing, in a few words: "read", "stopped". */
static const char *doing(const struct hx_dl_analysis *an, int box_pid)
{
	const struct hx_dl_node *nd = hx_dl_node_of(an, box_pid);

	if (!nd)
		return "exited";
	if (nd->on == DL_ON_STOPPED)
		return "stopped";
	return hx_dl_call_name(nd->sc.nr);
}

/* ---- the sentences ---------------------------------------------------- */

/* "; only pid 1 could post it, and it is blocked too (in read)." or
 * "; no running process will post it (pid 4, which could have, has
 * exited)." */
static void say_posters(struct hx_str *s, const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
			const char *act)
{
	struct hx_dl_pidset p, e;

	hx_dl_pidset_init(&p, an);
	hx_dl_pidset_init(&e, an);
	hx_dl_posters(an, nd, &p);
	hx_dl_exited_could(an, nd, &e);
	if (p.n) {
		hx_str_printf(s, "; only ");
		say_pids(s, &p);
		hx_str_printf(s, " could %s, and %s blocked too", act, p.n == 1 ? "it is" : "they are");
		if (p.n == 1)
			hx_str_printf(s, " (in %s)", doing(an, p.v[0]));
	} else {
		hx_str_printf(s, "; no running process will %s", act);
	}
	if (e.n) {
		hx_str_printf(s, " (");
		say_pids(s, &e);
		hx_str_printf(s, ", which could have, %s exited)", e.n == 1 ? "has" : "have");
	}
	hx_str_printf(s, ".");
	hx_dl_pidset_release(&p);
	hx_dl_pidset_release(&e);
}

static void say_pipe(struct hx_str *s, const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
		     const struct hx_dl_pidset *who)
{
	struct hx_dl_pidset h, mine;

	hx_dl_pidset_init(&h, an);
	hx_dl_pidset_init(&mine, an);
	hx_dl_other_end(an, nd, &h);
	for (int i = 0; i < h.n; i++)
		if (hx_dl_pidset_has(who, h.v[i]))
			hx_dl_pidset_add(&mine, h.v[i]);
	if (!nd->writing) {
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " to read %s", nd->what);
		if (nd->on == DL_ON_SOCKET) {
			hx_str_printf(s, ", but no running process will write to it.");
		} else if (h.n == 0) {
			hx_str_printf(s, ".");
		} else {
			hx_str_printf(s, "; its write end is still open in ");
			say_holders(s, an, &h, who);
			if (mine.n)
				hx_str_printf(s, ", so end of stream never comes: a process must close the "
					      "write ends it does not use before it reads.");
			else
				hx_str_printf(s, ", which %s blocked and will neither write nor close it, "
					      "so end of stream never comes.", h.n == 1 ? "is" : "are");
		}
	} else {
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " to write to %s, which is full", nd->what);
		if (h.n == 0) {
			hx_str_printf(s, ", and no process holds its read end.");
		} else {
			hx_str_printf(s, "; its read end is held by ");
			say_holders(s, an, &h, who);
			hx_str_printf(s, h.n == 1 ? ", which is not reading it." : ", none of which is reading it.");
		}
	}
	hx_dl_pidset_release(&h);
	hx_dl_pidset_release(&mine);
}

static void say_futex(struct hx_str *s, const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
		      const struct hx_dl_pidset *who)
{
	if (nd->on == DL_ON_FUTEX_PRIVATE) {
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " on a futex in %s own private memory (%s): after fork no other "
			      "process shares that memory, so no one can ever post it. A semaphore, "
			      "mutex or barrier shared between processes must live in shared memory "
			      "(mmap with MAP_SHARED, shm_open or shmget) and be created process-shared.",
			      who->n == 1 ? "its" : "their", nd->what);
		return;
	}
	if (nd->fkind == DL_FUTEX_MUTEX) {
		say_subject(s, who, "waits for", "wait for");
		hx_str_printf(s, " %s", nd->what);
		if (hx_dl_pidset_has(who, nd->owner))
			hx_str_printf(s, ", which pid %d itself holds: a process that locks a mutex it "
				      "holds waits for good.", nd->owner);
		else if (hx_dl_node_of(an, nd->owner))
			hx_str_printf(s, "; it is held by pid %d, which is blocked too (in %s).", nd->owner,
				      doing(an, nd->owner));
		else
			hx_str_printf(s, "; it is held by pid %d, which has exited without unlocking it.",
				      nd->owner);
		return;
	}
	unsigned int value = 0;

	say_subject(s, who, "waits on", "wait on");
	hx_str_printf(s, " %s", nd->what);
	if (strncmp(nd->what, "the named semaphore", 19) == 0 &&
	    hx_proc_read_mem(nd->tid, nd->sc.args[0], &value, sizeof(value)) == sizeof(value))
		hx_str_printf(s, " (its value is %u)", value);
	say_posters(s, an, nd, "post it");
}

static void say_mq(struct hx_str *s, const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
		   const struct hx_dl_pidset *who)
{
	struct hx_dl_pidset h, idle;
	bool recv = !nd->writing;

	say_subject(s, who, "waits", "wait");
	hx_str_printf(s, " to %s %s, which is %s", recv ? "receive from" : "send to", nd->what,
		      recv ? "empty" : "full");
	hx_dl_pidset_init(&h, an);
	hx_dl_pidset_init(&idle, an);
	hx_dl_other_end(an, nd, &h);
	for (int i = 0; i < h.n; i++) {
		const struct hx_dl_node *o = hx_dl_node_of(an, h.v[i]);

		if (o && !hx_dl_could_act(o) && !hx_dl_pidset_has(who, o->box_pid))
			hx_dl_pidset_add(&idle, o->box_pid);
	}
	if (idle.n && h.n == idle.n) {
		hx_str_printf(s, "; it is open for %s in ", recv ? "writing" : "reading");
		say_pids(s, &idle);
		hx_str_printf(s, ", which %s in wait4 and will not %s", idle.n == 1 ? "waits" : "wait",
			      recv ? "send" : "receive");
		say_posters(s, an, nd, recv ? "send to it" : "receive from it");
	} else {
		say_posters(s, an, nd, recv ? "send to it" : "receive from it");
	}
	hx_dl_pidset_release(&h);
	hx_dl_pidset_release(&idle);
}

void hx_dl_describe(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, const struct hx_dl_pidset *who,
		     struct hx_str *s)
{
	switch (nd->on) {
	case DL_ON_STOPPED:
		say_subject(s, who, "is", "are");
		hx_str_printf(s, " stopped (SIGSTOP or similar) and no running process will continue %s.",
			      who->n == 1 ? "it" : "them");
		break;
	case DL_ON_SIGNAL:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " for a signal (%s) that no running process will send.", hx_dl_call_name(nd->sc.nr));
		break;
	case DL_ON_CHILD: {
		struct hx_dl_pidset kids;

		hx_dl_pidset_init(&kids, an);
		hx_dl_live_children(an, nd, &kids);
		hx_str_printf(s, "pid %d waits in %s for ", nd->box_pid, hx_dl_call_name(nd->sc.nr));
		if (kids.n == 0) {
			hx_str_printf(s, "a child.");
		} else {
			hx_str_printf(s, "its %s ", kids.n == 1 ? "child" : "children");
			say_pids(s, &kids);
			if (kids.n == 1)
				hx_str_printf(s, " (blocked in %s)", doing(an, kids.v[0]));
			hx_str_printf(s, " to exit.");
		}
		hx_dl_pidset_release(&kids);
		break;
	}
	case DL_ON_FD:
		hx_str_printf(s, "pid %d waits to %s %s.", nd->box_pid, nd->writing ? "write" : "read", nd->what);
		break;
	case DL_ON_PIPE: case DL_ON_SOCKET:
		say_pipe(s, an, nd, who);
		break;
	case DL_ON_FUTEX_PRIVATE: case DL_ON_FUTEX_SHARED:
		say_futex(s, an, nd, who);
		break;
	case DL_ON_SEMOP:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " in semop on %s", nd->what);
		say_posters(s, an, nd, "change it");
		break;
	case DL_ON_MSG:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " in %s on %s", nd->writing ? "msgsnd" : "msgrcv", nd->what);
		say_posters(s, an, nd, nd->writing ? "receive from it" : "send to it");
		break;
	case DL_ON_MQ:
		say_mq(s, an, nd, who);
		break;
	case DL_ON_FIFO:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " in open() of the FIFO %s", nd->path);
		say_posters(s, an, nd, "open its other end");
		break;
	case DL_ON_OTHER:
		hx_str_printf(s, "pid %d waits in %s with no timeout.", nd->box_pid, hx_dl_call_name(nd->sc.nr));
		break;
	}
}

char *hx_dl_explanation(struct hx_dl_analysis *an, unsigned after_ms, const int *cycle, size_t cycle_len)
{
	struct hx_str s;

	hx_str_init(&s, 16384);
	hx_str_printf(&s, "Deadlock: after %u ms every process was blocked, %s. ", after_ms,
		      cycle ? "waiting for something only another blocked process could do"
			    : "each waiting for something no running process will do");
	/* One sentence per object: the processes waiting on it together. */
	for (int i = 0; i < an->n; i++) {
		struct hx_dl_node *nd = &an->nodes[i];
		struct hx_dl_pidset who;

		if (nd->described)
			continue;
		hx_dl_pidset_init(&who, an);
		for (int j = i; j < an->n; j++)
			if (j == i || (nd->key[0] && strcmp(an->nodes[j].key, nd->key) == 0)) {
				an->nodes[j].described = true;
				hx_dl_pidset_add(&who, an->nodes[j].box_pid);
			}
		hx_dl_describe(an, nd, &who, &s);
		hx_str_printf(&s, " ");
		hx_dl_pidset_release(&who);
	}
	if (cycle) {
		hx_str_printf(&s, "They wait for each other in a cycle: ");
		for (size_t i = 0; i < cycle_len; i++)
			hx_str_printf(&s, "pid %d -> ", cycle[i]);
		hx_str_printf(&s, "pid %d.", cycle[0]);
	}
	/* Trim the trailing space. */
	while (s.len && s.s[s.len - 1] == ' ')
		s.s[--s.len] = '\0';
	return hx_str_steal(&s);
}
