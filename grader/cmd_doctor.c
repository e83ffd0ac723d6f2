/*
 * cmd_doctor.c - `ipcgrade doctor [--json]`: what this machine offers the
 * sandbox, and the isolation runs will use.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "harness.h"

/* What reduced isolation refuses that full isolation allows. */
static const char sigev_thread_note[] =
	"full isolation only: glibc's helper thread listens on a netlink socket, which reduced "
	"isolation denies (reported as socket(AF_NETLINK for mq_notify SIGEV_THREAD)); "
	"SIGEV_SIGNAL works in both";

int cmd_doctor(bool json)
{
	const struct hx_caps *c = hx_probe();
	struct hx_limits_by by;

	char tracer_why[384];
	const char *tracer = hx_trace_backend(tracer_why, sizeof(tracer_why));

	hx_limits_mechanisms(c->best, &by);
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:s, "
				      "s:b, s:b, s:b, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}",
				      "version", hx_version(), "kernel", c->kernel,
				      "libseccomp", c->libseccomp, "root", c->running_as_root,
				      "user_namespaces", c->user_namespaces,
				      "user_namespaces_why", c->user_namespaces_why,
				      "namespaces", c->namespaces, "namespaces_why", c->namespaces_why,
				      "seccomp_notify", c->seccomp_notify,
				      "seccomp_wait_killable", c->seccomp_wait_killable,
				      "seccomp_sync_wakeup", c->seccomp_sync_wakeup,
				      "cgroup_v2", c->cgroup_v2,
				      "cgroup_v2_controllers", c->cgroup_v2_controllers,
				      "cgroup_memory", c->cgroup_memory, "cgroup_pids", c->cgroup_pids,
				      "reduced_mqueue", c->reduced_mqueue,
				      "reduced_mqueue_how", c->reduced_mqueue_how,
				      "isolation", hx_isolation_name(c->best),
				      "limits_by", "wall", by.wall, "cpu", by.cpu, "memory", by.memory,
				      "processes", by.processes, "output", by.output);
		if (o) {
			json_object_set_new(o, "mq_notify_sigev_thread", json_string(sigev_thread_note));
			json_object_set_new(o, "tracer", tracer ? json_string(tracer) : json_null());
			if (tracer_why[0])
				json_object_set_new(o, "tracer_why", json_string(tracer_why));
		}
		char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
		return c->best == HX_ISOLATION_FULL ? EXIT_OK : EXIT_FAILED;
	}
	printf("ipcgrade %s\n", hx_version());
	printf("kernel                %s\n", c->kernel);
	printf("libseccomp            %s\n", c->libseccomp);
	printf("running as            %s\n", c->running_as_root ? "root (boxes run as uid 60000+N)"
							: "an ordinary user (boxes run as you)");
	printf("user namespaces       %s%s%s\n", c->user_namespaces ? "yes" : "no",
	       c->user_namespaces ? "" : ": ", c->user_namespaces ? "" : c->user_namespaces_why);
	printf("pid/ipc/mount/net/uts %s%s%s\n", c->namespaces ? "yes" : "no",
	       c->namespaces ? "" : ": ", c->namespaces ? "" : c->namespaces_why);
	printf("seccomp notification  %s\n", c->seccomp_notify ? "yes" : "no (the sandbox cannot run)");
	printf("  WAIT_KILLABLE_RECV  %s\n", c->seccomp_wait_killable
	       ? "yes" : "no (a signal during a traced call may make it fail with EINTR)");
	printf("  SYNC_WAKE_UP        %s\n", c->seccomp_sync_wakeup
	       ? "yes" : "no (Linux 6.6+: each traced call costs more)");
	printf("cgroup v2             %s%s%s\n", c->cgroup_v2 ? "mounted" : "not mounted",
	       c->cgroup_v2_controllers[0] ? ", writable controllers: " : "",
	       c->cgroup_v2_controllers);
	printf("cgroup v1 writable    memory %s, pids %s, cpuacct %s\n",
	       c->cgroup_v1_memory ? "yes" : "no", c->cgroup_v1_pids ? "yes" : "no",
	       c->cgroup_v1_cpuacct ? "yes" : "no");
	printf("queues when reduced   %s\n", c->reduced_mqueue_how);
	printf("mq_notify SIGEV_THREAD %s\n", sigev_thread_note);
	if (tracer && strcmp(tracer, "ebpf") == 0)
		printf("tracer                ebpf (the kernel counts hot and System V loop calls; loaded in "
		       "%.1f ms), seccomp notification for the rest%s%s\n",
		       (double)hx_trace_backend_load_us() / 1000.0, tracer_why[0] ? "\n                      " : "",
		       tracer_why);
	else
		printf("tracer                %s%s%s%s\n", tracer ? "seccomp-notify (" : "error: ", tracer_why,
		       tracer ? ")" : "", tracer ? "" : " (unset IPCGRADE_TRACER, or set notify)");
	printf("limits enforced by    wall: %s; cpu: %s; memory: %s; processes: %s; output: %s\n",
	       by.wall, by.cpu, by.memory, by.processes, by.output);
	printf("\nruns will use %s isolation", hx_isolation_name(c->best));
	if (c->best == HX_ISOLATION_FULL)
		printf(" (namespaces, seccomp policy, limits)\n");
	else
		printf(": seccomp policy, rlimits, a process group and a subreaper;\n"
		       "runs take turns, since they share the host's IPC namespace.\n"
		       "Use --require-isolation to refuse grading without full isolation.\n");
	return c->best == HX_ISOLATION_FULL ? EXIT_OK : EXIT_FAILED;
}
