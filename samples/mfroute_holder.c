// SPDX-License-Identifier: GPL-2.0
/*
 * Sample mfroute holder: records every ranged notification it receives.
 *
 * /sys/kernel/debug/mfroute_holder/
 *   register    write "MAJ:MIN OFFSET LEN" to hold that byte range of a
 *               DAX-capable block device (up to 8 registrations)
 *   unregister  write anything to drop every registration
 *   events      one line per notification received:
 *               "dev=MAJ:MIN offset=0x... len=0x... flags=0x...", or
 *               "... repaired" for a repair
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <mfroute.h>

#define HOLDERS		8
#define EVENTS		256

struct sample_event {
	dev_t dev;
	u64 offset;
	u64 len;
	int flags;
	bool repaired;
};

static struct dentry *sample_dir;
static DEFINE_MUTEX(sample_lock);
static struct mfroute_holder *sample_holders[HOLDERS];
static dev_t sample_devs[HOLDERS];
static struct sample_event sample_events[EVENTS];
static unsigned int sample_nr_events, sample_lost_events;

static void sample_record(void *data, u64 offset, u64 len, int mf_flags,
			  bool repaired)
{
	guard(mutex)(&sample_lock);
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
	return 0;
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

static ssize_t sample_register_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	unsigned int major, minor;
	struct mfroute_holder *holder;
	unsigned long long offset, len;
	char buf[80];
	dev_t dev;
	int slot;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u:%u %llu %llu", &major, &minor, &offset, &len) != 4)
		return -EINVAL;
	dev = MKDEV(major, minor);

	scoped_guard(mutex, &sample_lock) {
		for (slot = 0; slot < HOLDERS && sample_holders[slot]; slot++)
			;
	}
	if (slot == HOLDERS)
		return -ENOSPC;
	/* Not under sample_lock: the callback takes it. */
	holder = mfroute_holder_register(dev, offset, len, &sample_ops,
					 (void *)(uintptr_t)dev);
	if (IS_ERR(holder))
		return PTR_ERR(holder);
	scoped_guard(mutex, &sample_lock) {
		sample_holders[slot] = holder;
		sample_devs[slot] = dev;
	}
	return count;
}

static void sample_unregister_all(void)
{
	struct mfroute_holder *holder;
	int slot;

	for (slot = 0; slot < HOLDERS; slot++) {
		scoped_guard(mutex, &sample_lock) {
			holder = sample_holders[slot];
			sample_holders[slot] = NULL;
		}
		mfroute_holder_unregister(holder);
	}
}

static ssize_t sample_unregister_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	sample_unregister_all();
	return count;
}

static int sample_events_show(struct seq_file *m, void *v)
{
	unsigned int i;

	guard(mutex)(&sample_lock);
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
