// SPDX-License-Identifier: GPL-2.0
/*
 * dax-probe: map a file shared and report, as one line of text, what the
 * process sees when it touches it: the data, or the SIGBUS it gets.
 *
 *   dax-probe poison FILE PAGE     touch every page, madvise(MADV_HWPOISON)
 *                                  page PAGE, touch it again
 *   dax-probe touch FILE PAGE      read page PAGE
 *   dax-probe pfn FILE PAGE        print the pfn behind page PAGE
 *   dax-probe pfns FILE LAST       print the pfn behind each of pages 0 to
 *                                  LAST, one a line, in order
 *   dax-probe spin FILE PAGE       print "spinning", then read page PAGE
 *                                  over and over, never leaving user mode
 *                                  on purpose, until a SIGBUS
 *   dax-probe hold FILE TRIGGER    map and touch every page, wait until
 *                                  TRIGGER exists, then touch them again
 *   dax-probe keep FILE read|write STOP
 *                                  map the file, then read (or write) every
 *                                  page of it every 2 ms until it gets a
 *                                  SIGBUS or STOP exists; print "keeping"
 *                                  once the first round is done
 *   dax-probe persist FILE STOP    as "keep FILE read", but go on through
 *                                  each SIGBUS until STOP exists, then
 *                                  read once more and print what each
 *                                  round saw: "persisted rounds=N
 *                                  sigbus=N refaulted=N last=ok|sigbus",
 *                                  refaulted counting the rounds that
 *                                  read every page after a SIGBUS (the
 *                                  file was mapped again)
 *
 *   dax-probe count FILE STOP      ask to be signalled early of failures of
 *                                  its pages (PR_MCE_KILL_EARLY), map and
 *                                  read every page, print "keeping", wait
 *                                  until STOP exists, then print
 *                                  "signals=N" and, if N > 0, the first
 *                                  signal as "code=NAME page=N offset=0x..."
 *   dax-probe rewrite FILE DEV OFFSET
 *                                  ask to be signalled early of failures of
 *                                  its pages, map and read FILE's first
 *                                  page, print "ready", and on the first
 *                                  SIGBUS write 4 KiB of 0x5a at byte
 *                                  OFFSET of DEV (O_DIRECT) from the signal
 *                                  handler, then print "rewrote" or
 *                                  "rewrite failed: ERRNO" (30 s at most)
 *
 * FILE may be a device-dax character device: DAX_PROBE_BYTES in the
 * environment then says how much of it to map (a multiple of its align).
 *
 * Output: "ok", "pfn 0x...", or "sigbus code=NAME page=N offset=0x..."
 * where page and offset are relative to the start of the mapping; "keep"
 * adds " rounds=N", the rounds it completed, or prints "stopped rounds=N".  The exit
 * status is 0 when the probe ran (whatever it saw), 2 on usage or setup
 * errors, so tests compare the printed text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile char *map_base;
static volatile sig_atomic_t got_code;
static volatile uintptr_t got_addr;
/* Rounds of "keep" completed. */
static volatile unsigned long rounds;
/* Rounds of "persist" that got a SIGBUS, or read all after one. */
static volatile unsigned long sigbus_rounds, refaulted;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	siglongjmp(env, 1);
}

/* Signals "count" received. */
static volatile sig_atomic_t signals;

static void on_sigbus_count(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (!signals++) {
		got_code = si->si_code;
		got_addr = (uintptr_t)si->si_addr;
	}
}

static const char *code_name(int code)
{
	switch (code) {
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	case BUS_ADRERR: return "BUS_ADRERR";
	case BUS_ADRALN: return "BUS_ADRALN";
	case BUS_OBJERR: return "BUS_OBJERR";
	default: return "OTHER";
	}
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void report_sigbus(long page_size)
{
	uintptr_t off = got_addr - (uintptr_t)map_base;

	/* Action-optional signals keep coming, one per page: report one. */
	signal(SIGBUS, SIG_IGN);

	printf("sigbus code=%s page=%lu offset=%#lx", code_name(got_code),
	       (unsigned long)(off / page_size), (unsigned long)off);
	if (rounds)
		printf(" rounds=%lu", rounds);
	printf("\n");
}

/* Touch pages [first, first + count); a SIGBUS jumps back to main(). */
static void touch(size_t first, size_t count, long page_size)
{
	unsigned long sum = 0;

	for (size_t i = first; i < first + count; i++)
		sum += map_base[i * page_size];
	(void)sum;
}

/* Write one byte of every page of [first, first + count), keeping data. */
static void touch_write(size_t first, size_t count, long page_size)
{
	for (size_t i = first; i < first + count; i++)
		map_base[i * page_size] = map_base[i * page_size];
}

static uint64_t pfn_of(size_t page, long page_size)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t at = ((uintptr_t)map_base / page_size + page) * sizeof(entry);

	if (fd < 0 || pread(fd, &entry, sizeof(entry), at) != sizeof(entry))
		die("pagemap");
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return entry & ((1ULL << 55) - 1);
}

/* "rewrite": the device, where to write, what, and how it went. */
static int rewrite_fd = -1;
static off_t rewrite_at;
static void *rewrite_buf;
static volatile sig_atomic_t rewrite_errno = -1;

static void on_sigbus_rewrite(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
	if (rewrite_errno != -1)
		return;
	rewrite_errno = pwrite(rewrite_fd, rewrite_buf, 4096, rewrite_at) == 4096 ?
			0 : errno;
}

/* Rewrite 4 KiB of DEV at OFFSET the moment a SIGBUS comes. */
static int rewrite(const char *dev, const char *offset)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus_rewrite,
				.sa_flags = SA_SIGINFO };

	rewrite_at = strtoll(offset, NULL, 0);
	rewrite_fd = open(dev, O_RDWR | O_DIRECT);
	if (rewrite_fd < 0)
		die(dev);
	if (posix_memalign(&rewrite_buf, 4096, 4096))
		die("posix_memalign");
	memset(rewrite_buf, 0x5a, 4096);
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		die("prctl(PR_MCE_KILL_EARLY)");
	if (sigaction(SIGBUS, &sa, NULL))
		die("sigaction");
	touch(0, 1, 4096);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 3000 && rewrite_errno == -1; i++)
		usleep(10000);
	if (rewrite_errno == 0)
		printf("rewrote\n");
	else
		printf("rewrite failed: %s\n",
		       rewrite_errno == -1 ? "no signal" : strerror(rewrite_errno));
	return 0;
}

/* Count the SIGBUSes that come until STOP exists, and say so. */
static int count_signals(const char *stop, size_t pages, long page_size)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus_count,
				.sa_flags = SA_SIGINFO };

	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		die("prctl(PR_MCE_KILL_EARLY)");
	if (sigaction(SIGBUS, &sa, NULL))
		die("sigaction");
	touch(0, pages, page_size);
	printf("keeping\n");
	fflush(stdout);
	while (access(stop, F_OK))
		usleep(10000);
	printf("signals=%d", (int)signals);
	if (signals) {
		uintptr_t off = got_addr - (uintptr_t)map_base;

		printf(" code=%s page=%lu offset=%#lx", code_name(got_code),
		       (unsigned long)(off / page_size), (unsigned long)off);
	}
	printf("\n");
	return 0;
}

/* Read the mapping every 2 ms until STOP exists, through SIGBUSes. */
static int persist(const char *stop, size_t pages, long page_size)
{
	volatile bool last = false, last_ok = false;

	for (;;) {
		/* A SIGBUS ends the round: on to the next one, or the end. */
		if (sigsetjmp(env, 1)) {
			sigbus_rounds++;
			if (last)
				break;
		} else {
			touch(0, pages, page_size);
			if (sigbus_rounds)
				refaulted++;
			if (++rounds == 1) {
				printf("keeping\n");
				fflush(stdout);
			}
			if (last) {
				last_ok = true;
				break;
			}
		}
		if (!access(stop, F_OK))
			last = true;
		else
			usleep(2000);
	}
	printf("persisted rounds=%lu sigbus=%lu refaulted=%lu last=%s\n",
	       rounds, sigbus_rounds, refaulted, last_ok ? "ok" : "sigbus");
	return 0;
}

int main(int argc, char **argv)
{
	long page_size = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct stat st;
	size_t pages, page = 0;
	int fd;

	if (argc != 4 && !(argc == 5 && (!strcmp(argv[1], "keep") ||
					 !strcmp(argv[1], "rewrite"))))
		goto usage;
	fd = open(argv[2], O_RDWR);
	if (fd < 0 || fstat(fd, &st))
		die(argv[2]);
	pages = st.st_size / page_size;
	/* A device-dax character device has no size: the caller says. */
	if (S_ISCHR(st.st_mode) && getenv("DAX_PROBE_BYTES"))
		pages = strtoull(getenv("DAX_PROBE_BYTES"), NULL, 0) / page_size;
	if (!pages) {
		fprintf(stderr, "%s: empty file\n", argv[2]);
		return 2;
	}
	if (argc == 5) {
		argc--;
	} else if (strcmp(argv[1], "hold") && strcmp(argv[1], "persist") &&
		   strcmp(argv[1], "count")) {
		page = strtoul(argv[3], NULL, 0);
		if (page >= pages) {
			fprintf(stderr, "page %zu beyond %zu pages\n", page, pages);
			return 2;
		}
	}
	map_base = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
			MAP_SHARED, fd, 0);
	if (map_base == MAP_FAILED)
		die("mmap");
	if (sigaction(SIGBUS, &sa, NULL))
		die("sigaction");
	/*
	 * A SIGBUS can arrive on any access and also on the return from
	 * madvise(MADV_HWPOISON) itself: the handler jumps back here.
	 */
	if (sigsetjmp(env, 1))
		goto sigbus;

	if (!strcmp(argv[1], "poison")) {
		touch(0, pages, page_size);
		if (madvise((void *)(map_base + page * page_size), page_size,
			    MADV_HWPOISON))
			die("madvise(MADV_HWPOISON)");
		touch(page, 1, page_size);
	} else if (!strcmp(argv[1], "touch")) {
		touch(page, 1, page_size);
	} else if (!strcmp(argv[1], "pfn")) {
		touch(page, 1, page_size);
		printf("pfn %#llx\n", (unsigned long long)pfn_of(page, page_size));
		return 0;
	} else if (!strcmp(argv[1], "spin")) {
		touch(page, 1, page_size);
		printf("spinning\n");
		fflush(stdout);
		for (;;)
			touch(page, 1, page_size);
	} else if (!strcmp(argv[1], "pfns")) {
		touch(0, page + 1, page_size);
		for (size_t i = 0; i <= page; i++)
			printf("%#llx\n", (unsigned long long)pfn_of(i, page_size));
		return 0;
	} else if (!strcmp(argv[1], "keep")) {
		bool write = !strcmp(argv[3], "write");

		for (;;) {
			if (write)
				touch_write(0, pages, page_size);
			else
				touch(0, pages, page_size);
			if (++rounds == 1) {
				printf("keeping\n");
				fflush(stdout);
			}
			if (!access(argv[4], F_OK)) {
				printf("stopped rounds=%lu\n", rounds);
				return 0;
			}
			usleep(2000);
		}
	} else if (!strcmp(argv[1], "persist")) {
		return persist(argv[3], pages, page_size);
	} else if (!strcmp(argv[1], "rewrite")) {
		return rewrite(argv[3], argv[4]);
	} else if (!strcmp(argv[1], "count")) {
		return count_signals(argv[3], pages, page_size);
	} else if (!strcmp(argv[1], "hold")) {
		touch(0, pages, page_size);
		printf("holding\n");
		fflush(stdout);
		while (access(argv[3], F_OK))
			usleep(10000);
		touch(0, pages, page_size);
	} else {
		goto usage;
	}
	printf("ok\n");
	return 0;
sigbus:
	report_sigbus(page_size);
	return 0;
usage:
	fprintf(stderr, "usage: dax-probe poison|touch|pfn|pfns|spin FILE PAGE\n"
			"       dax-probe hold FILE TRIGGER\n"
			"       dax-probe keep FILE read|write STOP\n"
			"       dax-probe persist FILE STOP\n"
			"       dax-probe count FILE STOP\n"
			"       dax-probe rewrite FILE DEV OFFSET\n");
	return 2;
}
