// SPDX-License-Identifier: GPL-2.0
/*
 * A dax holder for mfroute's tests: holds a block device's range of its
 * dax_device the way a filesystem does (fs_dax_get_by_bdev() with holder
 * operations), so that failures there are told to it by the dax core or
 * the failure router, inside the failure, as a filesystem is told; with
 * a delay, it plays a filesystem whose reverse-map walk takes time.
 *
 * /sys/kernel/debug/mfroute_dax_holder_test/
 *   hold      write "MAJ:MIN" to become the dax holder of that block
 *             device (a partition holds its own range)
 *   release   write anything to release every device held
 *   delay     milliseconds each notify_failure() sleeps
 *   answer    errno number N: notify_failure() returns -N (0: takes it)
 *
 * What it was told is read with a kprobe on
 * dax_holder_test_notify_failure() (offset %dx, length %cx, flags %r8).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

struct dax_holder_test {
	struct list_head node;
	struct file *bdev_file;
	struct dax_device *dax_dev;
};

static struct dentry *test_dir;
static DEFINE_MUTEX(test_lock);
static LIST_HEAD(test_held);
static unsigned int test_delay_ms;
static unsigned int test_answer;

static noinline int dax_holder_test_notify_failure(struct dax_device *dax_dev,
						   void *holder, u64 offset,
						   u64 len, int mf_flags)
{
	unsigned int delay = READ_ONCE(test_delay_ms);

	if (delay)
		msleep(delay);
	return -(int)READ_ONCE(test_answer);
}

static const struct dax_holder_operations test_ops = {
	.notify_failure = dax_holder_test_notify_failure,
};

static int test_get_string(char *buf, size_t size, const char __user *ubuf,
			   size_t count)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

static ssize_t test_hold_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct dax_holder_test *h;
	unsigned int major, minor;
	u64 start_off;
	char buf[32];
	int rc;

	rc = test_get_string(buf, sizeof(buf), ubuf, count);
	if (rc)
		return rc;
	if (sscanf(buf, "%u:%u", &major, &minor) != 2)
		return -EINVAL;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->bdev_file = bdev_file_open_by_dev(MKDEV(major, minor),
					     BLK_OPEN_READ, NULL, NULL);
	if (IS_ERR(h->bdev_file)) {
		rc = PTR_ERR(h->bdev_file);
		kfree(h);
		return rc;
	}
	h->dax_dev = fs_dax_get_by_bdev(file_bdev(h->bdev_file), &start_off,
					h, &test_ops);
	if (!h->dax_dev) {
		fput(h->bdev_file);
		kfree(h);
		return -EBUSY;
	}
	scoped_guard(mutex, &test_lock)
		list_add_tail(&h->node, &test_held);
	return count;
}

static void test_release_all(void)
{
	struct dax_holder_test *h, *next;
	LIST_HEAD(gone);

	scoped_guard(mutex, &test_lock)
		list_splice_init(&test_held, &gone);
	list_for_each_entry_safe(h, next, &gone, node) {
		fs_put_dax(h->dax_dev, h);
		fput(h->bdev_file);
		kfree(h);
	}
}

static ssize_t test_release_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	test_release_all();
	return count;
}

static ssize_t test_number_write(const char __user *ubuf, size_t count,
				 unsigned int max, unsigned int *out)
{
	unsigned int n;
	int rc;

	rc = kstrtouint_from_user(ubuf, count, 10, &n);
	if (rc)
		return rc;
	if (n > max)
		return -EINVAL;
	WRITE_ONCE(*out, n);
	return count;
}

static ssize_t test_delay_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return test_number_write(ubuf, count, 60000, &test_delay_ms);
}

static ssize_t test_answer_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	return test_number_write(ubuf, count, MAX_ERRNO, &test_answer);
}

static const struct file_operations test_hold_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = test_hold_write,
};

static const struct file_operations test_release_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = test_release_write,
};

static const struct file_operations test_delay_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = test_delay_write,
};

static const struct file_operations test_answer_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = test_answer_write,
};

static int __init dax_holder_test_init(void)
{
	test_dir = debugfs_create_dir("mfroute_dax_holder_test", NULL);
	if (IS_ERR(test_dir))
		return PTR_ERR(test_dir);
	debugfs_create_file("hold", 0200, test_dir, NULL, &test_hold_fops);
	debugfs_create_file("release", 0200, test_dir, NULL,
			    &test_release_fops);
	debugfs_create_file("delay", 0200, test_dir, NULL, &test_delay_fops);
	debugfs_create_file("answer", 0200, test_dir, NULL, &test_answer_fops);
	return 0;
}

static void __exit dax_holder_test_exit(void)
{
	debugfs_remove(test_dir);
	test_release_all();
}

module_init(dax_holder_test_init);
module_exit(dax_holder_test_exit);
MODULE_DESCRIPTION("A dax holder for mfroute's tests");
MODULE_LICENSE("GPL");
