/*
 * box_fs.c - the box's file system, built by the box's init in its new
 * mount namespace (full isolation only).
 *
 * The root is a small fresh tmpfs: read-only bind mounts of the host's
 * system directories (/usr, /bin, /lib ...) and of a few files of /etc,
 * a minimal /dev, a fresh /proc of the box's pid namespace with the
 * host-wide knobs read-only, fresh tmpfs /tmp and /dev/shm (each of the
 * tmpfs limit), an mqueue instance, the working directory at /box, and
 * the caller's read-only folders at their own paths. The host's root is
 * detached at the end, and the root itself remounted read-only. Nothing
 * mounted here propagates back to the host.
 *
 * Runs in the init, which allocates nothing (see box_init.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* The line of the setup step that failed, reported to the supervisor. */
static int fail_line;

/*
 * Inside a fresh user namespace the init still has the kernel uid it was
 * cloned with (root's, when ipcgrade runs as root), which the namespace
 * does not map: files it creates would have no owner there (EOVERFLOW).
 * Become the mapped user, keeping the namespace's capabilities for the
 * mounts still to come.
 */
static int become_box_user(const struct hx_box_plan *p)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_SET_KEEPCAPS, 1) < 0)
		return -errno;
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return -errno;	/* EPERM: setgroups is denied (unprivileged map) */
	if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
		return -errno;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* MS_* flags a bind mount must keep when remounted read-only: inside a
 * user namespace the kernel refuses to clear locked flags. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static int bind_mount(const char *src, const char *dst, bool readonly, unsigned long extra)
{
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (!readonly && !extra)
		return 0;
	unsigned long f = MS_REMOUNT | MS_BIND | locked_flags(dst) | extra;

	if (readonly)
		f |= MS_RDONLY;
	if (mount(NULL, dst, NULL, f, NULL) < 0)
		return -errno;
	return 0;
}

/* Make an empty file or directory at dst of the same kind as src. */
static int make_target(const char *src, const char *dst)
{
	struct stat st;

	if (stat(src, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	}
	int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* path is prefix or below it */
static bool is_under(const char *path, const char *prefix)
{
	size_t l = strlen(prefix);

	return strncmp(path, prefix, l) == 0 && (path[l] == '/' || path[l] == '\0');
}

/* mkdir -p for a path inside the new root. */
static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

#define MNT(expr) do { int r_ = (expr); if (r_ < 0) { fail_line = __LINE__; return r_; } } while (0)
#define SYS(expr) do { if ((expr) < 0) { fail_line = __LINE__; return -errno; } } while (0)

/* A step that failed has set fail_line itself. */
#define STEP(expr) do { int r_ = (expr); if (r_ < 0) return r_; } while (0)

/* Host directories bound read-only into the box, at the same path. */
static const char *const system_dirs[] = {
	"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
};

/* Host paths are opened now, in our mount namespace (a bind mount's
 * source must be in the namespace doing the mount) and before /tmp is
 * covered, since they may well live under /tmp. Then, inside a user
 * namespace, we become its own user before creating anything (see
 * become_box_user). */
static int open_host_paths(const struct hx_box_plan *p, int *workdir_fd, int *ro_fds)
{
	SYS(*workdir_fd = open(p->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC));
	for (int i = 0; p->readonly_dirs && p->readonly_dirs[i] && i < 16; i++)
		SYS(ro_fds[i] = open(p->readonly_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (p->userns) {
		int rc = become_box_user(p);

		if (rc < 0) {
			fail_line = __LINE__;
			return rc;
		}
	}
	return 0;
}

/* The new root is a small tmpfs over /tmp: after pivot_root the host's
 * /tmp shows again under /.oldroot/tmp (bubblewrap's trick). The
 * working directory is bound through its fd to /box first: its host
 * path may have parents the box's user cannot search. */
static int pivot_to_fresh_root(int workdir_fd)
{
	char path[64];

	SYS(mount("ipcgrade-root", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755"));
	SYS(mkdir("/tmp/box", 0755));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", workdir_fd);
	MNT(bind_mount(path, "/tmp/box", false, MS_NOSUID | MS_NODEV));
	close(workdir_fd);
	SYS(mkdir("/tmp/.oldroot", 0700));
	if (syscall(SYS_pivot_root, "/tmp", "/tmp/.oldroot") < 0)
		return -errno;
	SYS(chdir("/"));
	return 0;
}

/* A fresh /proc of the box's pid namespace. It must be mounted while the
 * host's /proc is still visible (the kernel checks that a user namespace
 * does not reveal more than it already sees). Host-wide knobs stay
 * read-only (where this kernel has them). */
static int mount_proc(void)
{
	static const char *const proc_ro[] = {
		"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
	};

	SYS(mkdir("/proc", 0555));
	SYS(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	for (size_t i = 0; i < HX_ARRAY_SIZE(proc_ro); i++)
		if (access(proc_ro[i], F_OK) == 0)
			MNT(bind_mount(proc_ro[i], proc_ro[i], true, 0));
	return 0;
}

/* /usr, /bin, ... read-only; a symlink (a merged /usr) stays a symlink. */
static int bind_system_dirs(void)
{
	for (size_t i = 0; i < HX_ARRAY_SIZE(system_dirs); i++) {
		char src[64], dst[64], target[PATH_MAX];
		struct stat st;

		snprintf(src, sizeof(src), "/.oldroot/%s", system_dirs[i]);
		snprintf(dst, sizeof(dst), "/%s", system_dirs[i]);
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(src, target, sizeof(target) - 1);

			if (n < 0)
				return -errno;
			target[n] = '\0';
			SYS(symlink(target, dst));
		} else if (S_ISDIR(st.st_mode)) {
			SYS(mkdir(dst, 0755));
			MNT(bind_mount(src, dst, true, MS_NOSUID | MS_NODEV));
		}
	}
	return 0;
}

/* A minimal /etc: the loader's and the resolver's files of the host,
 * read-only, and the box's own passwd, group and hostname. */
static int make_etc(const struct hx_box_plan *p)
{
	static const char *const etc_entries[] = {
		"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
		"localtime", "nsswitch.conf", "hosts",
	};

	SYS(mkdir("/etc", 0755));
	for (size_t i = 0; i < HX_ARRAY_SIZE(etc_entries); i++) {
		char src[64], dst[64];

		snprintf(src, sizeof(src), "/.oldroot/etc/%s", etc_entries[i]);
		snprintf(dst, sizeof(dst), "/etc/%s", etc_entries[i]);
		if (make_target(src, dst) < 0)
			continue;	/* absent on this host: fine */
		MNT(bind_mount(src, dst, true, MS_NOSUID | MS_NODEV));
	}
	MNT(write_text("/etc/passwd", p->passwd, 0644));
	MNT(write_text("/etc/group", p->group, 0644));
	MNT(write_text("/etc/hostname", "box\n", 0644));
	return 0;
}

/* A minimal /dev (null, zero, full, random, urandom, the fd links), a
 * fresh /dev/shm and mqueue, and a fresh /tmp. */
static int make_dev_and_tmp(const struct hx_box_plan *p)
{
	static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom" };
	char opts[64];

	SYS(mkdir("/dev", 0755));
	SYS(mount("ipcgrade-dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755"));
	for (size_t i = 0; i < HX_ARRAY_SIZE(dev_nodes); i++) {
		char src[64], dst[64];

		snprintf(src, sizeof(src), "/.oldroot/dev/%s", dev_nodes[i]);
		snprintf(dst, sizeof(dst), "/dev/%s", dev_nodes[i]);
		MNT(make_target(src, dst));
		MNT(bind_mount(src, dst, false, 0));
	}
	SYS(symlink("/proc/self/fd", "/dev/fd"));
	SYS(symlink("/proc/self/fd/0", "/dev/stdin"));
	SYS(symlink("/proc/self/fd/1", "/dev/stdout"));
	SYS(symlink("/proc/self/fd/2", "/dev/stderr"));
	snprintf(opts, sizeof(opts), "size=%um,mode=1777", p->limits.tmpfs_mb);
	SYS(mkdir("/dev/shm", 01777));
	SYS(mount("ipcgrade-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts));
	SYS(mkdir("/dev/mqueue", 01777));
	SYS(mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));

	SYS(mkdir("/tmp", 01777));
	SYS(mount("ipcgrade-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts));
	return 0;
}

/* Read-only folders (a checker's) at their host paths. Only now: one may
 * well live under /tmp or /etc, which the box has just made afresh, and
 * before the old root goes, since a bind mount's source must still be
 * attached. The box's /proc/self/fd reaches them however private their
 * host parents are. */
static int bind_readonly_dirs(const struct hx_box_plan *p, const int *ro_fds)
{
	char path[64];

	for (int i = 0; p->readonly_dirs && p->readonly_dirs[i]; i++) {
		const char *dir = p->readonly_dirs[i];
		/* Inside a system folder: visible, read-only, through its bind
		 * mount already. */
		bool in_system = false;

		for (size_t k = 0; k < HX_ARRAY_SIZE(system_dirs); k++) {
			char sys[16];

			snprintf(sys, sizeof(sys), "/%s", system_dirs[k]);
			in_system |= is_under(dir, sys);
		}
		if (in_system) {
			close(ro_fds[i]);
			continue;
		}
		/* Never over the box's own mounts, nor into the working folder. */
		if (dir[0] != '/' || strcmp(dir, "/") == 0 || strcmp(dir, "/tmp") == 0 ||
		    is_under(dir, "/proc") || is_under(dir, "/box")) {
			fail_line = __LINE__;
			return -EINVAL;
		}
		MNT(mkdirs(dir));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", ro_fds[i]);
		MNT(bind_mount(path, dir, true, MS_NOSUID | MS_NODEV));
		close(ro_fds[i]);
	}
	return 0;
}

/*
 * Build the box's root on a fresh tmpfs: read-only system directories,
 * a minimal /etc and /dev, fresh /proc, /tmp, /dev/shm and mqueue, the
 * working directory at /box. The host's own root is detached at the end.
 */
static int setup_root(const struct hx_box_plan *p)
{
	int workdir_fd = -1, ro_fds[16];

	/* Nothing we mount may propagate back to the host. */
	SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	STEP(open_host_paths(p, &workdir_fd, ro_fds));
	STEP(pivot_to_fresh_root(workdir_fd));
	STEP(mount_proc());
	STEP(bind_system_dirs());
	STEP(make_etc(p));
	STEP(make_dev_and_tmp(p));
	STEP(bind_readonly_dirs(p, ro_fds));
	/* /box was bound before pivot_root, so it moved along with the root. */
	SYS(umount2("/.oldroot", MNT_DETACH));
	SYS(rmdir("/.oldroot"));
	/* The root itself becomes read-only; /tmp, /dev/shm and /box stay
	 * writable as their own mounts. */
	SYS(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL));
	return 0;
}

int hx_box_setup_root(const struct hx_box_plan *p, int *line)
{
	int rc;

	fail_line = 0;
	rc = setup_root(p);
	*line = fail_line;
	return rc;
}
