// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel problems on request, to prove that the test harness sees them.
 *
 * Writing one word to /sys/kernel/debug/mfroute_detector_test/trigger
 * makes the kernel do something every guest test must be failed for:
 *
 *   kasan       read a kmalloc()ed object after kfree()
 *   kfence      the same, on an object KFENCE guards
 *   leak        kmalloc() objects and forget them (kmemleak)
 *   hang SECS   sleep uninterruptibly for SECS seconds (hung-task)
 *   lockdep     take two mutexes in both orders (circular dependency)
 *   warn        WARN()
 *   bug         BUG()
 *   oops        read through a NULL pointer
 *   ubsan-bounds  index an array one past its end (UBSAN_BOUNDS)
 *   ubsan-shift   shift an int by more than its width (UBSAN_SHIFT)
 *   softlockup SECS  spin for SECS seconds without scheduling
 *   debug-vm    fail a DEBUG_VM check on a page (VM_WARN_ON_ONCE_PAGE)
 *
 * Only the harness self-test (tools/testing/nvdimm/selftest/) uses it,
 * each script expecting the harness to fail its boot.  Never build this
 * into a kernel anybody runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kfence.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmdebug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static struct dentry *detector_dir;
static DEFINE_MUTEX(detector_a);
static DEFINE_MUTEX(detector_b);
static void *detector_sink;

static noinline void detector_use_after_free(bool kfence)
{
	volatile char *p = NULL;
	int tries;

	/* KFENCE guards one allocation per sample interval: wait for one. */
	for (tries = 0; tries < 2000; tries++) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p || !kfence || is_kfence_address((void *)p))
			break;
		kfree((void *)p);
		p = NULL;
		msleep(5);
	}
	if (!p) {
		pr_err("no %s object to free\n", kfence ? "KFENCE" : "slab");
		return;
	}
	kfree((void *)p);
	detector_sink = (void *)(unsigned long)p[0];
}

/*
 * Eight objects: kmemleak misses a leak whose pointer is still somewhere
 * it scans, and the last one's may be, in a stale slot of this task's
 * stack, which the kernel keeps for reuse after the task exits.
 */
static noinline void detector_leak(void)
{
	unsigned long mix = 0;
	int i;

	/* Keep the compiler from dropping the allocations; lose the pointers. */
	for (i = 0; i < 8; i++)
		mix ^= (unsigned long)kmalloc(128, GFP_KERNEL) ^ ~0UL;
	detector_sink = (void *)mix;
}

static void detector_lockdep(void)
{
	mutex_lock(&detector_a);
	mutex_lock(&detector_b);
	mutex_unlock(&detector_b);
	mutex_unlock(&detector_a);

	mutex_lock(&detector_b);
	mutex_lock(&detector_a);
	mutex_unlock(&detector_a);
	mutex_unlock(&detector_b);
}

/*
 * Index 5 of a 4-element array lands in @after, inside the object: UBSAN
 * sees the array's bound broken, KASAN a valid access, so only UBSAN
 * reports.  (Index 4 would not do: taking the address one past the end
 * is allowed.)
 */
static struct {
	int array[4];
	int after[4];
} detector_bounds;

static noinline int detector_ubsan_bounds(unsigned int i)
{
	return detector_bounds.array[i];
}

static noinline int detector_ubsan_shift(unsigned int by)
{
	return 1 << by;
}

static noinline void detector_softlockup(unsigned int secs)
{
	preempt_disable();
	mdelay(secs * 1000);
	preempt_enable();
}

static noinline void detector_debug_vm(void)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page)
		return;
	/* A page just allocated has one reference: this check fails. */
	VM_WARN_ON_ONCE_PAGE(page_ref_count(page) != 0, page);
	__free_page(page);
}

static ssize_t detector_trigger_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	char buf[32], what[16];
	unsigned int secs = 0;
	int n;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	n = sscanf(buf, "%15s %u", what, &secs);
	if (n < 1)
		return -EINVAL;

	pr_info("triggering %s\n", what);
	if (!strcmp(what, "kasan"))
		detector_use_after_free(false);
	else if (!strcmp(what, "kfence"))
		detector_use_after_free(true);
	else if (!strcmp(what, "leak"))
		detector_leak();
	else if (!strcmp(what, "hang") && n == 2)
		schedule_timeout_uninterruptible(secs * HZ);
	else if (!strcmp(what, "lockdep"))
		detector_lockdep();
	else if (!strcmp(what, "warn"))
		WARN(1, "mfroute_detector_test: warning on request\n");
	else if (!strcmp(what, "bug"))
		BUG();
	else if (!strcmp(what, "ubsan-bounds"))
		detector_sink = (void *)(unsigned long)
			detector_ubsan_bounds(ARRAY_SIZE(detector_bounds.array) + 1);
	else if (!strcmp(what, "ubsan-shift"))
		detector_sink = (void *)(unsigned long)
			detector_ubsan_shift(8 * sizeof(int) + 8);
	else if (!strcmp(what, "softlockup") && n == 2)
		detector_softlockup(secs);
	else if (!strcmp(what, "debug-vm"))
		detector_debug_vm();
	else if (!strcmp(what, "oops"))
		detector_sink = (void *)(unsigned long)
			*(volatile char *)detector_sink;
	else
		return -EINVAL;
	return count;
}

static const struct file_operations detector_trigger_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = detector_trigger_write,
};

static int __init detector_init(void)
{
	detector_dir = debugfs_create_dir("mfroute_detector_test", NULL);
	if (IS_ERR(detector_dir))
		return PTR_ERR(detector_dir);
	debugfs_create_file("trigger", 0200, detector_dir, NULL,
			    &detector_trigger_fops);
	return 0;
}

static void __exit detector_exit(void)
{
	debugfs_remove(detector_dir);
}

module_init(detector_init);
module_exit(detector_exit);
MODULE_DESCRIPTION("Kernel problems on request, for the mfroute harness self-test");
MODULE_LICENSE("GPL");
