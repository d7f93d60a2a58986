// SPDX-License-Identifier: GPL-2.0
/*
 * The mfroute holder API, exported to other modules.
 *
 * Registration resolves the holder's block device to the dax_device that
 * failures are reported on and to the partition's offset within it; the
 * Rust router keeps the registration in its registry and calls
 * mfroute_holder_deliver() for each contiguous range to report.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include <mfroute.h>
#include "mfroute.h"

/**
 * struct mfroute_holder - one registration
 * @ops: the holder's callbacks
 * @data: the holder's context, passed back to @ops
 * @bdev_file: the holder's block device, held open (not exclusively)
 * @dax_dev: its dax_device, referenced while registered
 * @part_off: byte offset of the block device in @dax_dev
 */
struct mfroute_holder {
	const struct mfroute_holder_ops *ops;
	void *data;
	struct file *bdev_file;
	struct dax_device *dax_dev;
	u64 part_off;
};

/**
 * mfroute_holder_register() - be told of failures of a block device range
 * @dev: the block device (a DAX-capable pmem disk or partition)
 * @offset: start of the range, in bytes from the start of @dev
 * @len: length of the range in bytes
 * @ops: callbacks; must stay valid until unregistered
 * @data: passed back to @ops
 *
 * Context: Process context; sleeps.
 * Return: the registration, or ERR_PTR(): -EINVAL for a NULL callback, an
 * empty or wrapping range or one past the end of @dev, -EOPNOTSUPP if
 * @dev has no DAX, -EBUSY for a duplicate registration, -ENOSPC when the
 * registry is full, -ENODEV if mfroute is not running, or the error of
 * opening @dev.
 */
struct mfroute_holder *mfroute_holder_register(dev_t dev, u64 offset, u64 len,
		const struct mfroute_holder_ops *ops, void *data)
{
	struct mfroute_holder *holder;
	struct block_device *bdev;
	u64 end;
	int rc;

	if (!ops || !ops->notify_failure || !len ||
	    check_add_overflow(offset, len, &end))
		return ERR_PTR(-EINVAL);

	holder = kzalloc(sizeof(*holder), GFP_KERNEL);
	if (!holder)
		return ERR_PTR(-ENOMEM);
	holder->ops = ops;
	holder->data = data;
	holder->bdev_file = bdev_file_open_by_dev(dev, BLK_OPEN_READ, NULL, NULL);
	if (IS_ERR(holder->bdev_file)) {
		rc = PTR_ERR(holder->bdev_file);
		goto out_free;
	}
	bdev = file_bdev(holder->bdev_file);
	rc = -EINVAL;
	if (end > bdev_nr_bytes(bdev))
		goto out_close;
	rc = -EOPNOTSUPP;
	holder->dax_dev = fs_dax_get_by_bdev(bdev, &holder->part_off, NULL, NULL);
	if (!holder->dax_dev)
		goto out_close;

	rc = mfroute_rs_register(holder, holder->dax_dev,
				 holder->part_off + offset, len,
				 bdev->bd_disk->disk_name);
	if (rc)
		goto out_put;
	pr_info("%pg: holder registered for [%#llx, %#llx)\n", bdev, offset, end);
	return holder;

out_put:
	fs_put_dax(holder->dax_dev, NULL);
out_close:
	fput(holder->bdev_file);
out_free:
	kfree(holder);
	pr_warn("%u:%u: holder registration refused: %d\n", MAJOR(dev),
		MINOR(dev), rc);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_GPL(mfroute_holder_register);

/**
 * mfroute_holder_unregister() - undo mfroute_holder_register()
 * @holder: the registration
 *
 * Once this returns, no callback of @holder runs or will run.
 *
 * Context: Process context; sleeps.  Not from a holder callback.
 */
void mfroute_holder_unregister(struct mfroute_holder *holder)
{
	if (IS_ERR_OR_NULL(holder))
		return;
	mfroute_rs_unregister(holder);
	fs_put_dax(holder->dax_dev, NULL);
	fput(holder->bdev_file);
	kfree(holder);
}
EXPORT_SYMBOL_GPL(mfroute_holder_unregister);

/* Called by the router with its lock held; @off is in dax_device bytes. */
int mfroute_holder_deliver(struct mfroute_holder *holder, u64 off, u64 len,
			   int mf_flags)
{
	return holder->ops->notify_failure(holder, holder->data,
					   off - holder->part_off, len, mf_flags);
}

/* Called by the router with its lock held; @off is in dax_device bytes. */
void mfroute_holder_repair(struct mfroute_holder *holder, u64 off, u64 len)
{
	if (holder->ops->notify_repair)
		holder->ops->notify_repair(holder, holder->data,
					   off - holder->part_off, len);
}
