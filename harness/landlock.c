/*
 * landlock.c - the filesystem fence of the reduced box.
 *
 * Without namespaces the submission runs on the host's filesystem. Where
 * the kernel has Landlock (5.13+, unprivileged), the reduced box may only
 * read and execute the system directories, read and write its working
 * directory (also its $TMPDIR), /dev/shm and the message queues, and use
 * a few device files:
 * specs, expected outputs, other submissions and home directories stay
 * out of reach. Not /tmp: the grader's own folders live there, other
 * students' sources among them while a batch runs, and without namespaces
 * there is no private /tmp to give. From Landlock ABI 6 the kernel also
 * refuses signals to processes outside the box, under the supervisor's
 * own kill check.
 *
 * The ruleset is built in the supervisor (it opens paths and allocates)
 * and only enforced in the child between fork and exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Debian bookworm's headers stop at ABI 2; the constants are ABI. */
#define LL_TRUNCATE (1ULL << 14)
#define LL_IOCTL_DEV (1ULL << 15)
#define LL_SCOPE_SIGNAL (1ULL << 1)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

static int ll_abi(void)
{
	static int abi = -2;

	if (abi == -2) {
		long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

		abi = v < 0 ? -1 : (int)v;
	}
	return abi;
}

bool hx_landlock_available(void)
{
	return ll_abi() >= 1;
}

static int add_rule_fd(int ruleset, int fd, uint64_t access, uint64_t handled)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access & handled, .parent_fd = fd };
	struct stat st;

	/* Rights that only make sense for directories must not be given
	 * to a file rule. */
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
				     LANDLOCK_ACCESS_FS_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		return -errno;
	return 0;
}

static int add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* absent here: nothing to allow */
	rc = add_rule_fd(ruleset, fd, access, handled);
	close(fd);
	return rc;
}

int hx_landlock_prepare(const char *workdir, const char *const *readonly_dirs, int mq_fd)
{
	int abi = ll_abi();
	struct ll_ruleset_attr attr = { 0 };
	size_t attr_size = sizeof(uint64_t);
	uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1: bits 0..12 */
	int ruleset, rc;

	if (abi < 1)
		return -EOPNOTSUPP;
	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LL_TRUNCATE;
	if (abi >= 5)
		fs |= LL_IOCTL_DEV;
	attr.handled_access_fs = fs;
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (ruleset < 0)
		return -errno;

	const uint64_t ro = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
			    LANDLOCK_ACCESS_FS_READ_DIR;
	const uint64_t rw = fs;
	const uint64_t dev = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
			     LL_TRUNCATE;
	static const char *const ro_paths[] = {
		"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc",
	};
	static const char *const dev_paths[] = {
		"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
	};

	rc = 0;
	for (size_t i = 0; i < HX_ARRAY_SIZE(ro_paths) && rc == 0; i++)
		rc = add_rule(ruleset, ro_paths[i], ro, fs);
	for (size_t i = 0; i < HX_ARRAY_SIZE(dev_paths) && rc == 0; i++)
		rc = add_rule(ruleset, dev_paths[i], dev, fs);
	if (rc == 0)
		rc = add_rule(ruleset, "/dev/shm", rw, fs);
	/* mq_open creates files in the IPC namespace's mqueue filesystem,
	 * whichever mount of it (/dev/mqueue, or ours attached nowhere)
	 * we hold: one superblock, so one rule covers it. Without one the
	 * policy refuses mq_open instead (HX_POLICY_NO_MQUEUE): the kernel
	 * would create the queue and only then refuse to open it. */
	if (rc == 0 && mq_fd >= 0)
		rc = add_rule_fd(ruleset, mq_fd, rw, fs);
	if (rc == 0)
		rc = add_rule(ruleset, workdir, rw, fs);
	for (int i = 0; readonly_dirs && readonly_dirs[i] && rc == 0; i++)
		rc = add_rule(ruleset, readonly_dirs[i], ro, fs);
	if (rc < 0) {
		close(ruleset);
		return rc;
	}
	return ruleset;
}

int hx_landlock_enforce(int ruleset_fd)
{
	/* no_new_privs is already set by the caller. */
	if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0) < 0)
		return -errno;
	return 0;
}
