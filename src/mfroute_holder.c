// SPDX-License-Identifier: GPL-2.0
/*
 * The mfroute holder API, exported to other modules.
 *
 * Registration resolves the holder's block device to the dax_device that
 * failures are reported on and to the partition's offset within it (a
 * device-dax holder names its dax_device itself); the
 * Rust router keeps the registration with the state of that dax_device and
 * calls mfroute_holder_deliver() for each contiguous range to report, from
 * its notify work, without holding any of its locks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <mfroute.h>
#include "mfroute.h"

/**
 * struct mfroute_holder - one registration
 * @ops: the holder's callbacks
 * @data: the holder's context, passed back to @ops
 * @bdev_file: the holder's block device, held open (not exclusively);
 *	NULL for a device-dax holder
 * @dax_dev: its dax_device, referenced while registered
 * @part_off: byte offset of the block device in @dax_dev
 * @dev: the block device, or device-dax's character device, for tracing
 * @name: its name, for tracing and logs
 * @token: the router's registration
 */
struct mfroute_holder {
	const struct mfroute_holder_ops *ops;
	void *data;
	struct file *bdev_file;
	struct dax_device *dax_dev;
	u64 part_off;
	dev_t dev;
	char name[BDEVNAME_SIZE];
	void *token;
};

/*
 * Hand @holder, for @len bytes at @offset of its device, to the router,
 * unless its dax_device is dead already: such a device is never routed,
 * so the registration would never be told anything.
 */
static int mfroute_holder_add(struct mfroute_holder *holder, u64 offset,
			      u64 len)
{
	int id, rc = -ENXIO;

	id = dax_read_lock();
	if (dax_alive(holder->dax_dev))
		rc = mfroute_rs_register(holder, holder->dax_dev,
					 holder->part_off + offset, len,
					 &holder->token);
	dax_read_unlock(id);
	if (!rc)
		pr_info("%s: holder registered for [%#llx, %#llx)\n",
			holder->name, offset, offset + len);
	return rc;
}

/*
 * A registration with @ops and @data, not handed to the router yet; or
 * ERR_PTR(-EINVAL) for arguments that make no sense on any device, or
 * ERR_PTR(-ENOMEM).
 */
static struct mfroute_holder *mfroute_holder_new(u64 offset, u64 len,
		const struct mfroute_holder_ops *ops, void *data)
{
	struct mfroute_holder *holder;
	u64 end;

	if (!ops || !ops->notify_failure || !len ||
	    check_add_overflow(offset, len, &end))
		return ERR_PTR(-EINVAL);
	holder = kzalloc(sizeof(*holder), GFP_KERNEL);
	if (!holder)
		return ERR_PTR(-ENOMEM);
	holder->ops = ops;
	holder->data = data;
	return holder;
}

/**
 * mfroute_holder_register() - be told of failures of a block device range
 * @dev: the block device (a DAX-capable pmem disk or partition, or a
 *	device-mapper device over them)
 * @offset: start of the range, in bytes from the start of @dev
 * @len: length of the range in bytes
 * @ops: callbacks; must stay valid until unregistered
 * @data: passed to @ops
 *
 * Context: Process context; sleeps.
 * Return: the registration, or ERR_PTR(): -EINVAL for a NULL callback or
 * an empty or wrapping range, -ENXIO for a range past the end of @dev or a
 * device going away, -EOPNOTSUPP if @dev has no DAX, -ENODEV if mfroute is
 * not running, -ENOMEM, or the error of opening @dev.
 */
struct mfroute_holder *mfroute_holder_register(dev_t dev, u64 offset, u64 len,
		const struct mfroute_holder_ops *ops, void *data)
{
	struct mfroute_holder *holder;
	struct block_device *bdev;
	int rc;

	holder = mfroute_holder_new(offset, len, ops, data);
	if (IS_ERR(holder)) {
		rc = PTR_ERR(holder);
		goto out_log;
	}
	holder->bdev_file = bdev_file_open_by_dev(dev, BLK_OPEN_READ, NULL, NULL);
	if (IS_ERR(holder->bdev_file)) {
		rc = PTR_ERR(holder->bdev_file);
		goto out_free;
	}
	bdev = file_bdev(holder->bdev_file);
	holder->dev = bdev->bd_dev;
	snprintf(holder->name, sizeof(holder->name), "%pg", bdev);
	rc = -ENXIO;
	if (offset + len > bdev_nr_bytes(bdev))
		goto out_close;
	rc = -EOPNOTSUPP;
	holder->dax_dev = fs_dax_get_by_bdev(bdev, &holder->part_off, NULL, NULL);
	if (!holder->dax_dev)
		goto out_close;
	rc = mfroute_holder_add(holder, offset, len);
	if (rc)
		goto out_put;
	return holder;

out_put:
	fs_put_dax(holder->dax_dev, NULL);
out_close:
	fput(holder->bdev_file);
out_free:
	kfree(holder);
out_log:
	pr_warn_ratelimited("%u:%u: holder registration refused: %d\n",
			    MAJOR(dev), MINOR(dev), rc);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_GPL(mfroute_holder_register);

/**
 * mfroute_holder_register_dax() - be told of failures of a device-dax range
 * @dax_dev: a device-dax instance's dax_device (inode_dax() of its
 *	character device), which the caller keeps for the call
 * @offset: start of the range, in bytes from the start of @dax_dev
 * @len: length of the range in bytes
 * @ops: callbacks; must stay valid until unregistered
 * @data: passed to @ops
 *
 * For holders with no block device: the users of a device-dax instance.
 * device-dax does not tell modules its size, so a range past its end is
 * not refused; nothing past the end is ever told.
 *
 * Context: Process context; sleeps.
 * Return: the registration, or ERR_PTR(): -EINVAL for a NULL device or
 * callback or an empty or wrapping range, -ENXIO for a dax_device going
 * away, -ENODEV if mfroute is not running, -ENOMEM.
 */
struct mfroute_holder *mfroute_holder_register_dax(struct dax_device *dax_dev,
		u64 offset, u64 len, const struct mfroute_holder_ops *ops,
		void *data)
{
	struct mfroute_holder *holder;
	struct inode *inode;
	int rc;

	holder = dax_dev ? mfroute_holder_new(offset, len, ops, data) :
			   ERR_PTR(-EINVAL);
	if (IS_ERR(holder)) {
		rc = PTR_ERR(holder);
		goto out_log;
	}
	inode = igrab(dax_inode(dax_dev));
	if (!inode) {
		rc = -ENXIO;
		goto out_free;
	}
	holder->dax_dev = dax_dev;
	/* device-dax's character device has the dax_device's number. */
	holder->dev = inode->i_rdev;
	mfroute_dax_name(dax_dev, holder->name, sizeof(holder->name));
	rc = mfroute_holder_add(holder, offset, len);
	if (rc)
		goto out_put;
	return holder;

out_put:
	put_dax(dax_dev);
out_free:
	kfree(holder);
out_log:
	pr_warn_ratelimited("device-dax holder registration refused: %d\n", rc);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_GPL(mfroute_holder_register_dax);

/**
 * mfroute_holder_unregister() - undo mfroute_holder_register()
 * @holder: the registration; NULL and error pointers are ignored
 *
 * Once this returns, no callback of @holder runs or will run.
 *
 * Context: Process context; sleeps.  Not from a holder callback.
 */
void mfroute_holder_unregister(struct mfroute_holder *holder)
{
	if (IS_ERR_OR_NULL(holder))
		return;
	mfroute_rs_unregister(holder->token, holder->dax_dev);
	put_dax(holder->dax_dev);
	if (holder->bdev_file)
		fput(holder->bdev_file);
	kfree(holder);
}
EXPORT_SYMBOL_GPL(mfroute_holder_unregister);

/*
 * Called by the router, no lock held, for event @seq; @off is in
 * dax_device bytes.
 */
int mfroute_holder_deliver(struct mfroute_holder *holder, u64 seq, u64 off,
			   u64 len, int mf_flags)
{
	u64 rel = off - holder->part_off;
	int rc;

	rc = holder->ops->notify_failure(holder, holder->data, rel, len,
					 mf_flags);
	mfroute_trace_deliver(seq, "holder", new_encode_dev(holder->dev),
			      holder->name, rel >> SECTOR_SHIFT,
			      len >> SECTOR_SHIFT, mf_flags, rc);
	return rc;
}

/* As mfroute_holder_deliver(), for a repair. */
void mfroute_holder_repair(struct mfroute_holder *holder, u64 seq, u64 off,
			   u64 len)
{
	u64 rel = off - holder->part_off;

	if (!holder->ops->notify_repair)
		return;
	holder->ops->notify_repair(holder, holder->data, rel, len);
	mfroute_trace_deliver(seq, "holder", new_encode_dev(holder->dev),
			      holder->name, rel >> SECTOR_SHIFT,
			      len >> SECTOR_SHIFT, 0, 0);
}

/*
 * Telling registered holders, outside every lock of the failure path: the
 * router queues notes, this work delivers them (src/notify.rs), in order.
 */
static void mfroute_notify_fn(struct work_struct *work)
{
	mfroute_rs_notify();
}
static DECLARE_WORK(mfroute_notify_work, mfroute_notify_fn);

/* Deliver the notes queued; any context. */
void mfroute_notify_schedule(void)
{
	queue_work(system_unbound_wq, &mfroute_notify_work);
}

/* Wait until the notes queued before were delivered; not from the work. */
void mfroute_notify_flush(void)
{
	flush_work(&mfroute_notify_work);
}

/* At unload, once nothing queues notes. */
void mfroute_notify_cancel(void)
{
	cancel_work_sync(&mfroute_notify_work);
}

/*
 * Deliveries put off while a mapped device is suspended (src/defer.rs):
 * tried again every so often until it is resumed, or gone.
 */
static void mfroute_defer_fn(struct work_struct *work)
{
	mfroute_rs_defer();
}
static DECLARE_DELAYED_WORK(mfroute_defer_work, mfroute_defer_fn);

/* Try the deferred deliveries in @delay_ms; any context. */
void mfroute_defer_schedule(unsigned int delay_ms)
{
	mod_delayed_work(system_unbound_wq, &mfroute_defer_work,
			 msecs_to_jiffies(delay_ms));
}

/* At unload, once nothing defers deliveries. */
void mfroute_defer_cancel(void)
{
	cancel_delayed_work_sync(&mfroute_defer_work);
}

/*
 * Topping up the ledgers' spare nodes (src/store.rs), so that a failure
 * rarely allocates in memory_failure()'s context: up to ledger_spares per
 * device that had a failure.
 */
static unsigned int ledger_spares = 16;
module_param(ledger_spares, uint, 0644);
MODULE_PARM_DESC(ledger_spares,
		 "Spare ledger nodes kept per failing device, 0 to 16 (default 16; 0: allocate one for each new failed range)");

/* The ledger_spares parameter; any context. */
unsigned int mfroute_ledger_spares(void)
{
	return READ_ONCE(ledger_spares);
}

static void mfroute_refill_fn(struct work_struct *work)
{
	mfroute_rs_refill();
}
static DECLARE_WORK(mfroute_refill_work, mfroute_refill_fn);

/* Top up the ledgers; any context. */
void mfroute_refill_schedule(void)
{
	queue_work(system_unbound_wq, &mfroute_refill_work);
}

/* At unload, once nothing routes. */
void mfroute_refill_cancel(void)
{
	cancel_work_sync(&mfroute_refill_work);
}

/**
 * mfroute_holder_flush() - wait for the notifications routed so far
 *
 * Registered holders are called from a work item, outside the failure
 * path's locks; this returns once every notification routed before the
 * call was delivered (or skipped, for a holder unregistered meanwhile).
 *
 * Context: Process context; sleeps.  Not from a holder callback.
 */
void mfroute_holder_flush(void)
{
	mfroute_notify_flush();
}
EXPORT_SYMBOL_GPL(mfroute_holder_flush);

/*
 * Asking drivers for poison nobody took, after a holder appeared: a
 * mounting filesystem is not ready at once, so ask again a few times.
 */
static void mfroute_reprobe_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mfroute_reprobe_work, mfroute_reprobe_fn);
static atomic_t mfroute_reprobe_rounds = ATOMIC_INIT(0);

#define MFROUTE_REPROBE_ROUNDS	3

static void mfroute_reprobe_fn(struct work_struct *work)
{
	mfroute_rs_reprobe();
	if (atomic_dec_if_positive(&mfroute_reprobe_rounds) > 0)
		schedule_delayed_work(&mfroute_reprobe_work, 2 * HZ);
}

/* Ask again from @delay_ms on; any context. */
void mfroute_reprobe_schedule(unsigned int delay_ms)
{
	atomic_set(&mfroute_reprobe_rounds, MFROUTE_REPROBE_ROUNDS);
	mod_delayed_work(system_wq, &mfroute_reprobe_work,
			 msecs_to_jiffies(delay_ms));
}

/* At unload, before the router goes. */
void mfroute_reprobe_cancel(void)
{
	atomic_set(&mfroute_reprobe_rounds, 0);
	cancel_delayed_work_sync(&mfroute_reprobe_work);
}
