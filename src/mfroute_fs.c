// SPDX-License-Identifier: GPL-2.0
/*
 * Disks, as the router needs them: their partitions, name and number;
 * and the number of a dax_device with no disk (device-dax's).
 */
#include <linux/blkdev.h>
#include <linux/dax.h>

#include "mfroute.h"

/**
 * mfroute_disk_partitions() - the partitions of a disk
 * @disk: the disk (valid for the call)
 * @starts: where to store each partition's start, in bytes
 * @lens: where to store each partition's length, in bytes
 * @max: room in @starts and @lens
 *
 * Return: the number of partitions, which may be more than @max: then
 * only @max were stored, and the caller asks again with more room.
 */
int mfroute_disk_partitions(struct gendisk *disk, u64 *starts, u64 *lens,
			    int max)
{
	struct block_device *part;
	unsigned long idx;
	int n = 0;

	rcu_read_lock();
	xa_for_each_start(&disk->part_tbl, idx, part, 1) {
		if (n < max) {
			starts[n] = (u64)part->bd_start_sect << SECTOR_SHIFT;
			lens[n] = bdev_nr_bytes(part);
		}
		n++;
	}
	rcu_read_unlock();
	return n;
}

/*
 * Whether @disk (valid for the call) has a partition: the question of
 * every failure in the common case, answered without copying any.
 */
bool mfroute_disk_has_partitions(struct gendisk *disk)
{
	unsigned long idx = 1;

	return xa_find(&disk->part_tbl, &idx, ULONG_MAX, XA_PRESENT);
}

u32 mfroute_disk_devt(struct gendisk *disk)
{
	return new_encode_dev(disk_devt(disk));
}

const char *mfroute_disk_name(struct gendisk *disk)
{
	return disk->disk_name;
}

/*
 * The number of @dax_dev (valid for the call): a device-dax instance's
 * character device has it.
 */
u32 mfroute_dax_devt(struct dax_device *dax_dev)
{
	return new_encode_dev(dax_inode(dax_dev)->i_rdev);
}

/*
 * The name of device-dax @dax_dev (valid for the call) in logs and traces,
 * "daxMAJ:MIN" of its character device, into @buf of @len bytes.
 */
void mfroute_dax_name(struct dax_device *dax_dev, char *buf, size_t len)
{
	dev_t dev = dax_inode(dax_dev)->i_rdev;

	snprintf(buf, len, "dax%u:%u", MAJOR(dev), MINOR(dev));
}
