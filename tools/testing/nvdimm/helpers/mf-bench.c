// SPDX-License-Identifier: GPL-2.0
/*
 * mf-bench: timing helpers for the mfroute benchmarks.
 *
 *   mf-bench time CMD [ARGS...]   run CMD, print "elapsed_ns N status S"
 *   mf-bench corrupt PFN COUNT [STRIDE]
 *                                 write PFN+i*STRIDE (STRIDE 1 unless
 *                                 given) for i < COUNT one by one to
 *                                 /sys/kernel/debug/hwpoison/corrupt-pfn
 *                                 (one memory_failure() each), print
 *                                 "pages N errors E elapsed_ns T"
 *   mf-bench inject PFN COUNT STRIDE
 *                                 write "PFN+i*STRIDE 1" for i < COUNT to
 *                                 mfroute's inject file (one ranged
 *                                 event of one page each), print
 *                                 "events N errors E elapsed_ns T"
 *   mf-bench register DEV COUNT LEN
 *                                 register the sample holder COUNT times
 *                                 on block device DEV (MAJ:MIN), on
 *                                 consecutive LEN-byte ranges from 0,
 *                                 print "holders N errors E elapsed_ns T"
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long start;

	if (argc >= 3 && !strcmp(argv[1], "time")) {
		int status;
		pid_t pid;

		start = now_ns();
		pid = fork();
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return 2;
		printf("elapsed_ns %lld status %d\n", now_ns() - start,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
		return 0;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "corrupt")) {
		unsigned long pfn = strtoul(argv[2], NULL, 0);
		unsigned long count = strtoul(argv[3], NULL, 0), i, errors = 0;
		unsigned long step = argc == 5 ? strtoul(argv[4], NULL, 0) : 1;
		int fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
		char buf[32];

		if (fd < 0) {
			perror("corrupt-pfn");
			return 2;
		}
		start = now_ns();
		for (i = 0; i < count; i++) {
			int n = snprintf(buf, sizeof(buf), "%lu\n", pfn + i * step);

			if (write(fd, buf, n) != n)
				errors++;
		}
		printf("pages %lu errors %lu elapsed_ns %lld\n", count, errors,
		       now_ns() - start);
		return 0;
	}
	if (argc == 5 && (!strcmp(argv[1], "inject") ||
			  !strcmp(argv[1], "register"))) {
		bool inject = !strcmp(argv[1], "inject");
		unsigned long a = strtoul(argv[2], NULL, 0);
		unsigned long count = strtoul(argv[3], NULL, 0);
		unsigned long step = strtoul(argv[4], NULL, 0), i, errors = 0;
		const char *path = inject ? "/sys/kernel/debug/mfroute/inject" :
			"/sys/kernel/debug/mfroute_holder/register";
		int fd = open(path, O_WRONLY);
		char buf[64];

		if (fd < 0) {
			perror(path);
			return 2;
		}
		start = now_ns();
		for (i = 0; i < count; i++) {
			int n = inject ?
				snprintf(buf, sizeof(buf), "%lu 1\n", a + i * step) :
				snprintf(buf, sizeof(buf), "%s %lu %lu\n", argv[2],
					 i * step, step);

			if (write(fd, buf, n) != n)
				errors++;
		}
		printf("%s %lu errors %lu elapsed_ns %lld\n",
		       inject ? "events" : "holders", count, errors,
		       now_ns() - start);
		return 0;
	}
	fprintf(stderr, "usage: mf-bench time CMD [ARGS...]\n"
			"       mf-bench corrupt PFN COUNT [STRIDE]\n"
			"       mf-bench inject PFN COUNT STRIDE\n"
			"       mf-bench register DEV COUNT LEN\n");
	return 2;
}
