// SPDX-License-Identifier: GPL-2.0
/*
 * run-as UID [CAP...] -- COMMAND [ARG...]: run COMMAND as user and group
 * UID, with no supplementary groups and exactly the capabilities named
 * (dac_override, sys_admin, or numbers), as ambient capabilities so that
 * COMMAND keeps them across execve() as systemd's AmbientCapabilities=
 * gives them; with none named, COMMAND runs with no capability at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(125);
}

static int cap_number(const char *name)
{
	char *end;
	long n;

	if (!strcmp(name, "dac_override"))
		return CAP_DAC_OVERRIDE;
	if (!strcmp(name, "sys_admin"))
		return CAP_SYS_ADMIN;
	n = strtol(name, &end, 10);
	if (*name && !*end && n >= 0 && n < 64)
		return n;
	fprintf(stderr, "run-as: unknown capability '%s'\n", name);
	exit(125);
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	uint64_t caps = 0;
	uid_t uid;
	int i, c;

	if (argc < 4)
		goto usage;
	uid = strtoul(argv[1], NULL, 10);
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++)
		caps |= 1ULL << cap_number(argv[i]);
	if (i + 1 >= argc)
		goto usage;

	/* Keep the permitted set through the change of user. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		die("prctl(PR_SET_KEEPCAPS)");
	if (setgroups(0, NULL))
		die("setgroups");
	if (setresgid(uid, uid, uid))
		die("setresgid");
	if (setresuid(uid, uid, uid))
		die("setresuid");
	/* Ambient capabilities must be permitted and inheritable. */
	data[0].effective = data[0].permitted = data[0].inheritable = (uint32_t)caps;
	data[1].effective = data[1].permitted = data[1].inheritable = caps >> 32;
	if (syscall(SYS_capset, &hdr, data))
		die("capset");
	for (c = 0; c < 64; c++)
		if ((caps >> c & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0))
			die("prctl(PR_CAP_AMBIENT_RAISE)");
	execvp(argv[i + 1], argv + i + 1);
	die(argv[i + 1]);
usage:
	fprintf(stderr, "usage: run-as UID [CAP...] -- COMMAND [ARG...]\n");
	return 125;
}
