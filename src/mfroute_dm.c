// SPDX-License-Identifier: GPL-2.0
/*
 * Find the device-mapper targets above a dax_device, from the live tables.
 *
 * dm opens its members' dax_devices without a holder, and the block
 * layer's holder links are sysfs only, so the router asks dm itself:
 * dm_walk_live_targets() visits every target of every live table, and the
 * targets' own iterate_devices() says which members they map.  The
 * geometry of the targets that map the failing member is copied out, and
 * the router translates with it once the table's SRCU read section is
 * over, so that delivering to the filesystem above (which may do I/O to
 * the mapped device) never holds up a table swap.
 */
#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/device-mapper.h>
#include <linux/string.h>

#include "mfroute.h"

#if IS_ENABLED(CONFIG_BLK_DEV_DM)

struct mfroute_dm_walk {
	struct dax_device *member;
	struct mfroute_dm_target *out;
	int max, n;
	/* The target being looked at: its geometry and the member's places. */
	struct mfroute_dm_target cur;
	u64 starts[MFROUTE_DM_MAX_STRIPES];
	u32 stripes[MFROUTE_DM_MAX_STRIPES];
	int found;
};

/* iterate_devices() callout: note where the member sits in the target. */
static int mfroute_dm_device(struct dm_target *ti, struct dm_dev *dev,
			     sector_t start, sector_t len, void *data)
{
	struct mfroute_dm_walk *walk = data;

	if (dev->dax_dev == walk->member) {
		if (walk->found == MFROUTE_DM_MAX_STRIPES)
			return -ENOSPC;
		/* Member offsets in dax_device space: add the partition. */
		walk->starts[walk->found] = get_start_sect(dev->bdev) + start;
		walk->stripes[walk->found++] = walk->cur.stripes;
	}
	walk->cur.stripes++;
	return 0;
}

/* dm_walk_live_targets() callback: copy out targets mapping the member. */
static int mfroute_dm_target(struct mapped_device *md, struct dm_target *ti,
			     void *data)
{
	struct mfroute_dm_walk *walk = data;
	struct gendisk *disk = dm_disk(md);
	bool linear = !strcmp(ti->type->name, "linear");
	bool striped = !strcmp(ti->type->name, "striped");
	struct mfroute_dm_target *t;
	int rc, i;
	u64 off;

	if (!ti->type->iterate_devices)
		return 0;
	walk->cur = (struct mfroute_dm_target) {
		.begin = ti->begin, .len = ti->len,
		.chunk = striped ? ti->max_io_len : 0,
	};
	walk->found = 0;
	rc = ti->type->iterate_devices(ti, mfroute_dm_device, walk);
	if (rc)
		return rc;
	if (!walk->found)
		return 0;
	/* Any other target type on the member: not translated, fall back. */
	if (!(linear || (striped && walk->cur.chunk)))
		return -EOPNOTSUPP;

	for (i = 0; i < walk->found; i++) {
		if (walk->n == walk->max)
			return -ENOSPC;
		t = &walk->out[walk->n];
		*t = walk->cur;
		t->member_start = walk->starts[i];
		t->stripe = walk->stripes[i];
		/* Each entry holds a reference, dropped by mfroute_dm_put(). */
		t->upper = fs_dax_get_by_bdev(disk->part0, &off, NULL, NULL);
		if (!t->upper)
			return 0;	/* not DAX-capable: nobody maps it */
		strscpy(t->name, disk->disk_name);
		walk->n++;
	}
	return 0;
}

/**
 * mfroute_dm_targets() - the dm targets mapping a dax_device, right now
 * @member: the dax_device
 * @out: where to copy the targets
 * @max: room in @out
 *
 * Return: the number of targets copied, each holding a reference on its
 * upper dax_device (release with mfroute_dm_put()), or -ENOSPC when they
 * do not fit, -EOPNOTSUPP when a target other than linear or striped maps
 * @member; on error no reference is held.
 */
int mfroute_dm_targets(struct dax_device *member, struct mfroute_dm_target *out,
		       int max)
{
	struct mfroute_dm_walk walk = {
		.member = member, .out = out, .max = max,
	};
	int rc = dm_walk_live_targets(mfroute_dm_target, &walk);

	if (rc) {
		mfroute_dm_put(out, walk.n);
		return rc;
	}
	return walk.n;
}

/* Drop the references mfroute_dm_targets() took. */
void mfroute_dm_put(struct mfroute_dm_target *targets, int n)
{
	while (n-- > 0)
		fs_put_dax(targets[n].upper, NULL);
}
#else /* !CONFIG_BLK_DEV_DM */
int mfroute_dm_targets(struct dax_device *member, struct mfroute_dm_target *out,
		       int max)
{
	return 0;
}

void mfroute_dm_put(struct mfroute_dm_target *targets, int n)
{
}
#endif /* CONFIG_BLK_DEV_DM */
