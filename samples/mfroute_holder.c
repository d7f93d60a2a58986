// SPDX-License-Identifier: GPL-2.0
/*
 * Sample mfroute holder: records every ranged notification it receives.
 *
 * /sys/kernel/debug/mfroute_holder/
 *   register    write "MAJ:MIN OFFSET LEN" to hold that byte range of a
 *               DAX-capable block device, or "/dev/daxX.Y OFFSET LEN"
 *               for a device-dax instance (device_dax built as a module:
 *               its owner says a character device is one); as many as
 *               memory allows.  A device-dax holder's events name its
 *               character device
 *   unregister  write anything to drop every registration
 *   events      one line per notification received:
 *               "dev=MAJ:MIN offset=0x... len=0x... flags=0x...", or
 *               "... repaired" for a repair; the first 4096 are kept,
 *               then "lost=N" counts the rest.  Reading it first waits
 *               until what was routed before has been told
 *               (mfroute_holder_flush())
 *   fail        write an errno number N: notify_failure() returns -N from
 *               then on (0: succeed again), to play a holder that fails
 *   delay       write a number of milliseconds each callback sleeps, to
 *               play a slow holder
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/debugfs.h>
#include <linux/dax.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mfroute.h>

#define EVENTS		4096

struct sample_event {
	dev_t dev;
	u64 offset;
	u64 len;
	int flags;
	bool repaired;
};

struct sample_registration {
	struct list_head node;
	struct mfroute_holder *holder;
};

static struct dentry *sample_dir;
/* Protects the events; never held across an mfroute call. */
static DEFINE_MUTEX(sample_events_lock);
static struct sample_event sample_events[EVENTS];
static unsigned int sample_nr_events, sample_lost_events;
/* Protects the registrations; never held across an mfroute call. */
static DEFINE_MUTEX(sample_reg_lock);
static LIST_HEAD(sample_registrations);
static unsigned int sample_fail_errno;
static unsigned int sample_delay_ms;

static void sample_record(void *data, u64 offset, u64 len, int mf_flags,
			  bool repaired)
{
	unsigned int delay = READ_ONCE(sample_delay_ms);

	if (delay)
		msleep(delay);
	guard(mutex)(&sample_events_lock);
	if (sample_nr_events == EVENTS) {
		sample_lost_events++;
		return;
	}
	sample_events[sample_nr_events++] = (struct sample_event) {
		.dev = (dev_t)(uintptr_t)data, .offset = offset, .len = len,
		.flags = mf_flags, .repaired = repaired,
	};
}

static int sample_notify_failure(struct mfroute_holder *holder, void *data,
				 u64 offset, u64 len, int mf_flags)
{
	sample_record(data, offset, len, mf_flags, false);
	return -(int)READ_ONCE(sample_fail_errno);
}

static void sample_notify_repair(struct mfroute_holder *holder, void *data,
				 u64 offset, u64 len)
{
	sample_record(data, offset, len, 0, true);
}

static const struct mfroute_holder_ops sample_ops = {
	.notify_failure = sample_notify_failure,
	.notify_repair = sample_notify_repair,
};

/* Copy a short user write into @buf as a string. */
static int sample_get_string(char *buf, size_t size, const char __user *ubuf,
			     size_t count)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

/*
 * Register on the device-dax instance whose character device is at @path:
 * only device_dax's character devices are part of a dax_device.
 */
static struct mfroute_holder *sample_register_dax(const char *path, u64 offset,
						  u64 len)
{
	struct mfroute_holder *holder;
	struct inode *inode;
	struct file *file;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return ERR_CAST(file);
	inode = file_inode(file);
	if (S_ISCHR(inode->i_mode) && inode->i_cdev && inode->i_cdev->owner &&
	    !strcmp(inode->i_cdev->owner->name, "device_dax"))
		/* The open file keeps the dax_device for the call. */
		holder = mfroute_holder_register_dax(inode_dax(inode), offset,
						     len, &sample_ops,
						     (void *)(uintptr_t)inode->i_rdev);
	else
		holder = ERR_PTR(-ENOTTY);
	fput(file);
	return holder;
}

static ssize_t sample_register_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct sample_registration *reg;
	unsigned int major, minor;
	unsigned long long offset, len;
	char buf[80], path[64];
	int rc;

	rc = sample_get_string(buf, sizeof(buf), ubuf, count);
	if (rc)
		return rc;

	reg = kzalloc(sizeof(*reg), GFP_KERNEL);
	if (!reg)
		return -ENOMEM;
	if (sscanf(buf, "%u:%u %llu %llu", &major, &minor, &offset, &len) == 4)
		reg->holder = mfroute_holder_register(MKDEV(major, minor),
						      offset, len, &sample_ops,
						      (void *)(uintptr_t)MKDEV(major, minor));
	else if (sscanf(buf, "%63s %llu %llu", path, &offset, &len) == 3 &&
		 path[0] == '/')
		reg->holder = sample_register_dax(path, offset, len);
	else
		reg->holder = ERR_PTR(-EINVAL);
	if (IS_ERR(reg->holder)) {
		rc = PTR_ERR(reg->holder);
		kfree(reg);
		return rc;
	}
	scoped_guard(mutex, &sample_reg_lock)
		list_add_tail(&reg->node, &sample_registrations);
	return count;
}

static void sample_unregister_all(void)
{
	struct sample_registration *reg, *next;
	LIST_HEAD(gone);

	scoped_guard(mutex, &sample_reg_lock)
		list_splice_init(&sample_registrations, &gone);
	list_for_each_entry_safe(reg, next, &gone, node) {
		mfroute_holder_unregister(reg->holder);
		kfree(reg);
	}
}

static ssize_t sample_unregister_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	sample_unregister_all();
	return count;
}

static ssize_t sample_number_write(const char __user *ubuf, size_t count,
				   unsigned int max, unsigned int *out)
{
	unsigned int n;
	char buf[16];
	int rc;

	rc = sample_get_string(buf, sizeof(buf), ubuf, count);
	if (rc)
		return rc;
	if (kstrtouint(strim(buf), 10, &n) || n > max)
		return -EINVAL;
	WRITE_ONCE(*out, n);
	return count;
}

static ssize_t sample_fail_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	return sample_number_write(ubuf, count, MAX_ERRNO, &sample_fail_errno);
}

static ssize_t sample_delay_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	return sample_number_write(ubuf, count, 60000, &sample_delay_ms);
}

static int sample_events_show(struct seq_file *m, void *v)
{
	unsigned int i;

	/* What was routed before the read has been told: show it all. */
	mfroute_holder_flush();
	guard(mutex)(&sample_events_lock);
	for (i = 0; i < sample_nr_events; i++) {
		struct sample_event *e = &sample_events[i];

		seq_printf(m, "dev=%u:%u offset=%#llx len=%#llx ",
			   MAJOR(e->dev), MINOR(e->dev), e->offset, e->len);
		if (e->repaired)
			seq_puts(m, "repaired\n");
		else
			seq_printf(m, "flags=%#x\n", e->flags);
	}
	if (sample_lost_events)
		seq_printf(m, "lost=%u\n", sample_lost_events);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sample_events);

static const struct file_operations sample_register_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sample_register_write,
};

static const struct file_operations sample_unregister_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sample_unregister_write,
};

static const struct file_operations sample_fail_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sample_fail_write,
};

static const struct file_operations sample_delay_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sample_delay_write,
};

static int __init sample_init(void)
{
	sample_dir = debugfs_create_dir("mfroute_holder", NULL);
	if (IS_ERR(sample_dir))
		return PTR_ERR(sample_dir);
	debugfs_create_file("register", 0200, sample_dir, NULL,
			    &sample_register_fops);
	debugfs_create_file("unregister", 0200, sample_dir, NULL,
			    &sample_unregister_fops);
	debugfs_create_file("events", 0400, sample_dir, NULL,
			    &sample_events_fops);
	debugfs_create_file("fail", 0200, sample_dir, NULL, &sample_fail_fops);
	debugfs_create_file("delay", 0200, sample_dir, NULL,
			    &sample_delay_fops);
	pr_info("loaded\n");
	return 0;
}

static void __exit sample_exit(void)
{
	debugfs_remove(sample_dir);
	sample_unregister_all();
	pr_info("unloaded\n");
}

module_init(sample_init);
module_exit(sample_exit);
MODULE_DESCRIPTION("Sample holder recording mfroute notifications");
MODULE_LICENSE("GPL");
