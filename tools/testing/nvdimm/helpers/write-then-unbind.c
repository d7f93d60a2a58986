// SPDX-License-Identifier: GPL-2.0
/*
 * write-then-unbind: rewrite a range of a pmem block device and unbind
 * its namespace straight after, with nothing in between.
 *
 *   write-then-unbind BLOCKDEV OFFSET LENGTH UNBIND-FILE DEVICE
 *
 * writes LENGTH zero bytes at OFFSET of BLOCKDEV with O_DIRECT (a write
 * that clears poison on pmem), closes it, and writes DEVICE to
 * UNBIND-FILE, which was opened beforehand.  From a shell, a fork and an
 * exec sit between the two, which on TCG is longer than pmem's repair
 * batching delay: the race with the repair work would never happen.
 * Prints "wrote N unbound DEVICE", or the failing step and its errno,
 * and exits non-zero on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "write-then-unbind: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	size_t len;
	off_t off;
	void *buf;
	int dev, unbind;
	ssize_t n;

	if (argc != 6) {
		fprintf(stderr,
			"usage: write-then-unbind BLOCKDEV OFFSET LENGTH UNBIND-FILE DEVICE\n");
		return 2;
	}
	off = strtoll(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	if (posix_memalign(&buf, 4096, len))
		return fail("allocate");
	memset(buf, 0, len);

	unbind = open(argv[4], O_WRONLY);
	if (unbind < 0)
		return fail(argv[4]);
	dev = open(argv[1], O_RDWR | O_DIRECT);
	if (dev < 0)
		return fail(argv[1]);
	n = pwrite(dev, buf, len, off);
	if (n != (ssize_t)len)
		return fail("pwrite");
	close(dev);
	if (write(unbind, argv[5], strlen(argv[5])) < 0)
		return fail("unbind");
	printf("wrote %zd unbound %s\n", n, argv[5]);
	return 0;
}
