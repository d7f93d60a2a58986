// SPDX-License-Identifier: GPL-2.0
/*
 * A firmware-first burst of poison for mfroute's tests: queues failures
 * with memory_failure_queue(), as GHES does for errors a platform's patrol
 * scrub reports, faster than the queue's work can handle them.
 *
 * /sys/kernel/debug/mfroute_mf_queue_test/queue
 *   write "PFN NR" to queue NR action-optional failures of the device
 *   pages from PFN, one after the other, from one CPU with preemption
 *   off: the work that drains the queue (bound to that CPU) runs only
 *   after the last one, as after an interrupt that reported them all.
 *   Pages outside a device pagemap are refused with EINVAL.
 *
 * This destroys data on request and exists for tests only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>

static struct dentry *test_dir;

/* Whether @pfn is a page of a device pagemap (pmem, device-dax). */
static bool test_device_page(unsigned long pfn)
{
	struct dev_pagemap *pgmap = get_dev_pagemap(pfn, NULL);

	if (!pgmap)
		return false;
	put_dev_pagemap(pgmap);
	return true;
}

static ssize_t test_queue_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	unsigned long pfn, nr, i;
	char buf[64];

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%lu %lu", &pfn, &nr) != 2 || !nr ||
	    pfn + nr - 1 < pfn || !test_device_page(pfn) ||
	    !test_device_page(pfn + nr - 1)) {
		pr_warn("queue: want \"PFN NR\" of device pages, got \"%s\"\n",
			strim(buf));
		return -EINVAL;
	}
	pr_info("queueing %lu failures from pfn %#lx\n", nr, pfn);
	preempt_disable();
	for (i = 0; i < nr; i++)
		memory_failure_queue(pfn + i, 0);
	preempt_enable();
	return count;
}

static const struct file_operations test_queue_fops = {
	.owner = THIS_MODULE,
	.write = test_queue_write,
};

static int __init test_init(void)
{
	test_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("queue", 0200, test_dir, NULL, &test_queue_fops);
	return 0;
}

static void __exit test_exit(void)
{
	debugfs_remove(test_dir);
}

module_init(test_init);
module_exit(test_exit);
MODULE_DESCRIPTION("Queue a burst of memory failures for mfroute's tests");
MODULE_LICENSE("GPL");
