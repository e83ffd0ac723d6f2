/*
 * decode.c - system call arguments in words, for events and denials:
 * flag words (clone, open, IPC), IPC keys and commands, quoted strings,
 * paths read from a tracee's memory, the inode behind a pipe or socket.
 * Everything here but hx_read_path is a pure function of its arguments.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/socket.h>

#include "internal.h"

/* A bit of a flags word, or a value, and its name. */
struct flag_name {
	unsigned long bit;
	const char *name;
};

/* "A|B|0x40": the names of the bits set, then what is left in hex. */
static void format_flags(unsigned long v, const struct flag_name *names, size_t n,
			 char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (names[i].bit && (v & names[i].bit) == names[i].bit) {
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? "|" : "", names[i].name);
			v &= ~names[i].bit;
		}
	}
	if (v || len == 0)
		snprintf(buf + len, len < size ? size - len : 0, "%s%#lx", len ? "|" : "", v);
}

void hx_format_clone_flags(unsigned long flags, char *buf, size_t size)
{
	static const struct flag_name names[] = {
		{ CLONE_VM, "CLONE_VM" }, { CLONE_FS, "CLONE_FS" }, { CLONE_FILES, "CLONE_FILES" },
		{ CLONE_SIGHAND, "CLONE_SIGHAND" }, { CLONE_PIDFD, "CLONE_PIDFD" },
		{ CLONE_PTRACE, "CLONE_PTRACE" }, { CLONE_VFORK, "CLONE_VFORK" },
		{ CLONE_PARENT, "CLONE_PARENT" }, { CLONE_THREAD, "CLONE_THREAD" },
		{ CLONE_NEWNS, "CLONE_NEWNS" }, { CLONE_SYSVSEM, "CLONE_SYSVSEM" },
		{ CLONE_SETTLS, "CLONE_SETTLS" }, { CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID" },
		{ CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID" },
		{ CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID" }, { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
		{ CLONE_NEWUTS, "CLONE_NEWUTS" }, { CLONE_NEWIPC, "CLONE_NEWIPC" },
		{ CLONE_NEWUSER, "CLONE_NEWUSER" }, { CLONE_NEWPID, "CLONE_NEWPID" },
		{ CLONE_NEWNET, "CLONE_NEWNET" }, { CLONE_IO, "CLONE_IO" },
	};
	unsigned long sig = flags & 0xff;
	char f[256];

	format_flags(flags & ~0xfful, names, HX_ARRAY_SIZE(names), f, sizeof(f));
	if (sig && (flags & ~0xfful))
		snprintf(buf, size, "%s|%s", f, hx_signal_name((int)sig));
	else if (sig)
		snprintf(buf, size, "%s", hx_signal_name((int)sig));
	else
		snprintf(buf, size, "%s", f);
}

void hx_format_open_flags(unsigned long v, char *buf, size_t size)
{
	static const struct flag_name names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_DIRECTORY, "O_DIRECTORY" },
	};
	const char *acc = (v & O_ACCMODE) == O_RDWR ? "O_RDWR" :
			  (v & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDONLY";
	char rest[160];

	v &= ~(unsigned long)O_ACCMODE;
	v &= ~(unsigned long)O_LARGEFILE;
	if (!v) {
		snprintf(buf, size, "%s", acc);
		return;
	}
	format_flags(v, names, HX_ARRAY_SIZE(names), rest, sizeof(rest));
	snprintf(buf, size, "%s|%s", rest, acc);
}

void hx_format_ipc_flags(unsigned long v, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s0%lo", v & IPC_CREAT ? "IPC_CREAT|" : "",
		 v & IPC_EXCL ? "IPC_EXCL|" : "", v & 0777);
}

const char *hx_format_ipc_key(unsigned long key, char *buf, size_t size)
{
	if ((key_t)key == IPC_PRIVATE)
		return "IPC_PRIVATE";
	snprintf(buf, size, "0x%08x", (unsigned)key);
	return buf;
}

/* The name of value v in a table of names, or fallback. */
static const char *name_of(unsigned long v, const struct flag_name *names, size_t n,
			   const char *fallback)
{
	for (size_t i = 0; i < n; i++)
		if (names[i].bit == v)
			return names[i].name;
	return fallback;
}

const char *hx_ipc_cmd_name(unsigned long cmd)
{
	static const struct flag_name names[] = {
		{ IPC_RMID, "IPC_RMID" }, { IPC_SET, "IPC_SET" }, { IPC_STAT, "IPC_STAT" },
		{ IPC_INFO, "IPC_INFO" }, { GETVAL, "GETVAL" }, { SETVAL, "SETVAL" },
		{ GETALL, "GETALL" }, { SETALL, "SETALL" }, { GETPID, "GETPID" },
		{ GETNCNT, "GETNCNT" }, { GETZCNT, "GETZCNT" },
	};

	return name_of(cmd & 0xff, names, HX_ARRAY_SIZE(names), "?");
}

const char *hx_futex_op_name(unsigned long op)
{
	static const struct flag_name names[] = {
		{ FUTEX_WAIT, "FUTEX_WAIT" }, { FUTEX_WAKE, "FUTEX_WAKE" },
		{ FUTEX_WAIT_BITSET, "FUTEX_WAIT_BITSET" }, { FUTEX_WAKE_BITSET, "FUTEX_WAKE_BITSET" },
	};

	return name_of(op & FUTEX_CMD_MASK, names, HX_ARRAY_SIZE(names), "other");
}

const char *hx_socket_type_name(unsigned long type)
{
	static const struct flag_name names[] = {
		{ SOCK_STREAM, "SOCK_STREAM" }, { SOCK_DGRAM, "SOCK_DGRAM" },
	};

	return name_of(type & 0xf, names, HX_ARRAY_SIZE(names), "SOCK_SEQPACKET");
}

void hx_quote(const char *s, char *buf, size_t size)
{
	size_t j = 0;

	if (size < 4) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[j++] = '"';
	for (size_t i = 0; s[i] && j + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[j++] = '\\';
			buf[j++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			j += (size_t)snprintf(buf + j, size - j, "\\x%02x", c);
		} else {
			buf[j++] = (char)c;
		}
	}
	buf[j++] = '"';
	buf[j] = '\0';
}

bool hx_read_path(pid_t tid, uint64_t addr, char *buf, size_t size)
{
	return addr && hx_proc_read_string(tid, addr, buf, size) >= 0;
}

unsigned long hx_ipc_inode(const char *link)
{
	unsigned long ino = 0;

	if (sscanf(link, "pipe:[%lu]", &ino) == 1 || sscanf(link, "socket:[%lu]", &ino) == 1)
		return ino;
	return 0;
}
