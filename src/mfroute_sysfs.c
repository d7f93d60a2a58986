// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs glue for mfroute: what an administrator reads without debugfs.
 *
 *   /sys/kernel/mfroute/version                   the module's version
 *   /sys/kernel/mfroute/devices/<disk>/dev        MAJ:MIN of the disk
 *   /sys/kernel/mfroute/devices/<disk>/stat       the ledger's counters
 *   /sys/kernel/mfroute/devices/<disk>/failed     failed ranges, in sectors
 *
 * See Documentation/ABI/testing/sysfs-kernel-mfroute.  A device's directory
 * exists from the router's first event or registration on it until its
 * dax_device dies (kill_dax()); it holds a reference on the router's
 * device, dropped when the kobject is released.  Directories are added
 * from a dax SRCU read section in which the device is alive, and removed
 * by ->forget(), which kill_dax() calls after that section ended, so a
 * dead device never keeps one.  No router lock is held across any call
 * here, and the show callbacks take only the device's own state lock.
 */
#include <linux/kobject.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "mfroute.h"

struct mfroute_sysfs_dev {
	struct kobject kobj;
	struct list_head node;
	dev_t devt;
	/* A reference on the router's device, for mfroute_rs_device_show(). */
	const void *device;
};

static struct kobject *mfroute_kobj, *mfroute_devices_kobj;
static const char *mfroute_version;
/* Protects mfroute_sysfs_devs; never held across kobject_del() or a put. */
static DEFINE_MUTEX(mfroute_sysfs_lock);
static LIST_HEAD(mfroute_sysfs_devs);

static struct mfroute_sysfs_dev *to_sysfs_dev(struct kobject *kobj)
{
	return container_of(kobj, struct mfroute_sysfs_dev, kobj);
}

static ssize_t dev_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	dev_t devt = to_sysfs_dev(kobj)->devt;

	return sysfs_emit(buf, "%u:%u\n", MAJOR(devt), MINOR(devt));
}
static struct kobj_attribute dev_attr = __ATTR_RO(dev);

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return mfroute_rs_device_show(to_sysfs_dev(kobj)->device,
				      MFROUTE_SYSFS_STAT, buf);
}
static struct kobj_attribute stat_attr = __ATTR_RO(stat);

static ssize_t failed_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return mfroute_rs_device_show(to_sysfs_dev(kobj)->device,
				      MFROUTE_SYSFS_FAILED, buf);
}
static struct kobj_attribute failed_attr = __ATTR_RO(failed);

static struct attribute *mfroute_dev_attrs[] = {
	&dev_attr.attr,
	&stat_attr.attr,
	&failed_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(mfroute_dev);

static void mfroute_dev_release(struct kobject *kobj)
{
	struct mfroute_sysfs_dev *d = to_sysfs_dev(kobj);

	if (d->device)
		mfroute_rs_device_put(d->device);
	kfree(d);
}

static const struct kobj_type mfroute_dev_ktype = {
	.release = mfroute_dev_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = mfroute_dev_groups,
};

/**
 * mfroute_sysfs_add() - show a device of the router in sysfs
 * @device: a reference on the router's device, owned by the entry on success
 * @devt: the device's disk, encoded (new_encode_dev())
 * @name: the disk's name, the directory's name
 *
 * Context: Process context, in a dax SRCU read section in which the device
 * is alive.  Takes mfroute_sysfs_lock and kernfs locks.
 * Return: 0, or a negative errno (-EEXIST: a directory of that name is
 * still there); on error the caller keeps its reference.
 */
int mfroute_sysfs_add(const void *device, u32 devt, const char *name)
{
	struct mfroute_sysfs_dev *d, *other;
	int rc;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->devt = new_decode_dev(devt);
	d->device = device;

	guard(mutex)(&mfroute_sysfs_lock);
	/*
	 * A name is reused only after its old disk's dax_device was killed
	 * and forgotten; check anyway, rather than have sysfs warn.
	 */
	list_for_each_entry(other, &mfroute_sysfs_devs, node) {
		if (!strcmp(kobject_name(&other->kobj), name)) {
			kfree(d);
			return -EEXIST;
		}
	}
	rc = kobject_init_and_add(&d->kobj, &mfroute_dev_ktype,
				  mfroute_devices_kobj, "%s", name);
	if (rc) {
		d->device = NULL;	/* the caller keeps its reference */
		kobject_put(&d->kobj);
		return rc;
	}
	list_add_tail(&d->node, &mfroute_sysfs_devs);
	return 0;
}

/* Waits for the show callbacks in progress, then drops the reference. */
static void mfroute_sysfs_del(struct mfroute_sysfs_dev *d)
{
	kobject_del(&d->kobj);
	kobject_put(&d->kobj);
}

/**
 * mfroute_sysfs_remove() - remove a device's directory, if it has one
 * @device: the device given to mfroute_sysfs_add()
 *
 * Returns once no show callback of the device runs; drops the reference
 * the entry held.
 *
 * Context: Process context; takes mfroute_sysfs_lock and kernfs locks.
 */
void mfroute_sysfs_remove(const void *device)
{
	struct mfroute_sysfs_dev *d, *found = NULL;

	mutex_lock(&mfroute_sysfs_lock);
	list_for_each_entry(d, &mfroute_sysfs_devs, node) {
		if (d->device == device) {
			list_del(&d->node);
			found = d;
			break;
		}
	}
	mutex_unlock(&mfroute_sysfs_lock);
	if (found)
		mfroute_sysfs_del(found);
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", mfroute_version);
}
static struct kobj_attribute version_attr = __ATTR_RO(version);

/**
 * mfroute_sysfs_init() - create /sys/kernel/mfroute/
 * @version: the module's version, a string that outlives the directory
 *
 * Return: 0 or a negative errno.
 */
int mfroute_sysfs_init(const char *version)
{
	int rc;

	mfroute_version = version;
	mfroute_kobj = kobject_create_and_add("mfroute", kernel_kobj);
	if (!mfroute_kobj)
		return -ENOMEM;
	rc = sysfs_create_file(mfroute_kobj, &version_attr.attr);
	if (rc)
		goto err;
	mfroute_devices_kobj = kobject_create_and_add("devices", mfroute_kobj);
	if (!mfroute_devices_kobj) {
		rc = -ENOMEM;
		goto err;
	}
	return 0;
err:
	kobject_put(mfroute_kobj);
	return rc;
}

/**
 * mfroute_sysfs_exit() - remove /sys/kernel/mfroute/ and every device's entry
 *
 * Context: After the router was unregistered: nothing adds entries.
 */
void mfroute_sysfs_exit(void)
{
	struct mfroute_sysfs_dev *d, *next;
	LIST_HEAD(gone);

	mutex_lock(&mfroute_sysfs_lock);
	list_splice_init(&mfroute_sysfs_devs, &gone);
	mutex_unlock(&mfroute_sysfs_lock);
	list_for_each_entry_safe(d, next, &gone, node)
		mfroute_sysfs_del(d);
	kobject_put(mfroute_devices_kobj);
	kobject_put(mfroute_kobj);
}
