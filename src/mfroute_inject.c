// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only ranged failure injection: /sys/kernel/debug/mfroute/inject.
 *
 * Writing "PFN NR_PAGES" (decimal) reports a failure of NR_PAGES pages from
 * PFN through memory_failure_range(), as software-injected poison
 * (MF_SW_SIMULATED, like madvise(MADV_HWPOISON)); "PFN NR_PAGES hw" reports
 * it as a platform reporting hardware poison would (no MF_* flag: what
 * firmware-first error reporting hands memory_failure()), which pmem then
 * keeps bad for the I/O path; "PFN NR_PAGES pre_remove" reports a pending
 * removal instead.  Only pfns of an fsdax or device-dax pagemap are
 * accepted: this file must never poison ordinary memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": inject: " fmt

#include <linux/debugfs.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>

#include "mfroute.h"

/*
 * Accept only a range inside one fsdax or device-dax pagemap (a generic one
 * that handles its failures: Xen's unpopulated memory is generic too).
 */
static int mfroute_inject_check(unsigned long pfn, unsigned long nr_pages)
{
	struct dev_pagemap *pgmap;
	unsigned long last;
	bool inside;

	if (!nr_pages || check_add_overflow(pfn, nr_pages - 1, &last))
		return -EINVAL;
	pgmap = get_dev_pagemap(pfn, NULL);
	if (!pgmap)
		return -EINVAL;
	inside = (pgmap->type == MEMORY_DEVICE_FS_DAX ||
		  (pgmap->type == MEMORY_DEVICE_GENERIC && pgmap->ops &&
		   pgmap->ops->memory_failure)) &&
		 pgmap->nr_range == 1 && last <= PHYS_PFN(pgmap->range.end);
	put_dev_pagemap(pgmap);
	return inside ? 0 : -EINVAL;
}

static ssize_t mfroute_inject_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	unsigned long pfn, nr_pages;
	char buf[64], mode[16], extra;
	int flags = MF_SW_SIMULATED;
	int n, rc;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	n = sscanf(buf, "%lu %lu %15s %c", &pfn, &nr_pages, mode, &extra);
	if (n == 3 && !strcmp(mode, "pre_remove")) {
		flags |= MF_MEM_PRE_REMOVE;
	} else if (n == 3 && !strcmp(mode, "hw")) {
		flags = 0;
	} else if (n != 2) {
		pr_warn_ratelimited("malformed request, want \"PFN NR_PAGES [hw|pre_remove]\"\n");
		return -EINVAL;
	}

	rc = mfroute_inject_check(pfn, nr_pages);
	if (rc) {
		pr_warn_ratelimited("%#lx+%lu: rejected: empty, wrapping or not fsdax or device-dax\n",
				    pfn, nr_pages);
		return rc;
	}

	rc = memory_failure_range(pfn, nr_pages, flags);
	pr_info_ratelimited("%#lx+%lu%s: %d\n", pfn, nr_pages,
			    flags & MF_MEM_PRE_REMOVE ? " pre_remove" :
			    flags ? "" : " hw", rc);
	return rc ? rc : count;
}

static const struct file_operations mfroute_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mfroute_inject_write,
};

void mfroute_inject_init(struct dentry *dir)
{
	debugfs_create_file("inject", 0200, dir, NULL, &mfroute_inject_fops);
}
