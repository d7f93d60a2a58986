// SPDX-License-Identifier: GPL-2.0
/*
 * Find the device-mapper targets above a dax_device, from the live tables.
 *
 * dm opens its members' dax_devices without a holder, and the block
 * layer's holder links are sysfs only, so the router asks dm itself:
 * dm_iterate_dax_users() visits every target of the live tables that use
 * the member (dm keeps an index of them); a target that reports its
 * layout on the failing member (->iterate_layouts: linear, striped,
 * log-writes) is handed to the router to translate with; one that
 * only says where it uses the member (->iterate_devices) is handed over
 * as untranslatable, so that the router leaves only that part of a
 * failure to the per-page path.  Each use holds a reference on the mapped
 * device, dropped by mfroute_dm_put(), so that the router can deliver to
 * its filesystem after the RCU read section (the filesystem may
 * do I/O to the mapped device, which must never hold up a table swap) and
 * check that the table did not change before it does.
 */
#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/device-mapper.h>

#include "mfroute.h"

#if IS_ENABLED(CONFIG_BLK_DEV_DM)

struct mfroute_dm_walk {
	struct dax_device *member;
	void *ctx;
	struct mfroute_dm_use use;
};

/* Hand one use of the member over to the router, with its own reference. */
static int mfroute_dm_report(struct mfroute_dm_walk *walk)
{
	int rc;

	/* A mapped device being deleted has no filesystem left to tell. */
	if (dm_hold(walk->use.md))
		return 0;
	rc = mfroute_rs_dm_use(walk->ctx, &walk->use);
	if (rc)
		dm_put(walk->use.md);
	return rc;
}

/* ->iterate_layouts() callout: the target's layout on one device. */
static int mfroute_dm_layout(struct dm_target *ti, struct dm_dev *dev,
			     const struct dm_layout *layout, void *data)
{
	struct mfroute_dm_walk *walk = data;

	if (dev->dax_dev != walk->member)
		return 0;
	walk->use.translatable = true;
	/* Member offsets in dax_device space: add the partition. */
	walk->use.dev_start = get_start_sect(dev->bdev) + layout->dev_start;
	walk->use.dev_len = 0;
	walk->use.chunk = layout->chunk_sectors;
	walk->use.stripes = layout->stripes;
	walk->use.stripe = layout->stripe;
	return mfroute_dm_report(walk);
}

/* ->iterate_devices() callout, for targets without a layout. */
static int mfroute_dm_device(struct dm_target *ti, struct dm_dev *dev,
			     sector_t start, sector_t len, void *data)
{
	struct mfroute_dm_walk *walk = data;

	if (dev->dax_dev != walk->member)
		return 0;
	walk->use.translatable = false;
	walk->use.dev_start = get_start_sect(dev->bdev) + start;
	walk->use.dev_len = len;
	walk->use.chunk = 0;
	walk->use.stripes = 1;
	walk->use.stripe = 0;
	return mfroute_dm_report(walk);
}

/* dm_iterate_dax_users() callback, in an RCU read section. */
static int mfroute_dm_target(struct mapped_device *md, unsigned int generation,
			     struct dm_target *ti, void *data)
{
	struct mfroute_dm_walk *walk = data;

	walk->use = (struct mfroute_dm_use) {
		.md = md, .upper = dm_dax_device(md),
		.generation = generation, .begin = ti->begin, .len = ti->len,
		.suspended = dm_suspended(ti),
	};
	if (ti->type->iterate_layouts)
		return ti->type->iterate_layouts(ti, mfroute_dm_layout, walk);
	if (ti->type->iterate_devices)
		return ti->type->iterate_devices(ti, mfroute_dm_device, walk);
	return 0;
}

/**
 * mfroute_dm_uses() - hand the router every live target using a member
 * @member: the member's dax_device
 * @ctx: passed to mfroute_rs_dm_use()
 *
 * Context: Process context; mfroute_rs_dm_use() runs inside an RCU read
 * section and must not sleep.
 * Return: 0, or the first error mfroute_rs_dm_use() returned (the uses it
 * took so far keep their references).
 */
int mfroute_dm_uses(struct dax_device *member, void *ctx)
{
	struct mfroute_dm_walk walk = { .member = member, .ctx = ctx };

	return dm_iterate_dax_users(member, mfroute_dm_target, &walk);
}

/* Whether the live table of a mapped device the router holds changed. */
bool mfroute_dm_changed(struct mapped_device *md, unsigned int generation)
{
	return dm_live_table_changed(md, generation);
}

/* Drop the reference a use handed to the router holds. */
void mfroute_dm_put(struct mapped_device *md)
{
	dm_put(md);
}
#else /* !CONFIG_BLK_DEV_DM */
int mfroute_dm_uses(struct dax_device *member, void *ctx)
{
	return 0;
}

bool mfroute_dm_changed(struct mapped_device *md, unsigned int generation)
{
	return true;
}

void mfroute_dm_put(struct mapped_device *md)
{
}
#endif /* CONFIG_BLK_DEV_DM */
