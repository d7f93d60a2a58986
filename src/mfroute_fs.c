// SPDX-License-Identifier: GPL-2.0
/*
 * Disks and the filesystems on them, as the router needs them.
 *
 * A removal must leave no DAX mapping of the dying memory behind.  xfs
 * hears of it through its dax holder operations and unmaps what it must;
 * ext4, ext2 and erofs are not told, and even xfs may fail to (already
 * shut down, already frozen).  So once the holders have been told, the
 * router revokes the DAX mappings of every filesystem on the block devices
 * of the affected disks - the dying pmem's, and those of the mapped
 * devices above it - reached through each block device's holder
 * (bdev_super_call()), never by walking every superblock in the system.
 *
 * Revoking follows the filesystems' own invalidation: write back, unmap,
 * invalidate the DAX entries (which skips pinned pages); only what is
 * left (dirty entries the writeback could not clean, on a filesystem
 * already shut down) is truncated, and only when no page of the file is
 * pinned (dax_layout_busy_page(): O_DIRECT, RDMA), as the filesystems'
 * break-layouts step waits for before truncating.
 */
#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>

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

u32 mfroute_disk_devt(struct gendisk *disk)
{
	return new_encode_dev(disk_devt(disk));
}

const char *mfroute_disk_name(struct gendisk *disk)
{
	return disk->disk_name;
}

struct mfroute_revoke {
	unsigned long inodes;
};

/* Revoke the DAX mappings of one inode; the caller holds a reference. */
static void mfroute_revoke_inode(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;

	filemap_write_and_wait(mapping);
	filemap_invalidate_lock(mapping);
	unmap_mapping_range(mapping, 0, 0, 1);
	invalidate_inode_pages2(mapping);
	if (mapping->nrpages && !dax_layout_busy_page(mapping))
		truncate_inode_pages(mapping, 0);
	filemap_invalidate_unlock(mapping);
}

/* bdev_super_call() callback: revoke every DAX mapping of @sb. */
static void mfroute_revoke_sb(struct super_block *sb, void *arg)
{
	struct mfroute_revoke *revoke = arg;
	struct inode *inode, *prev = NULL;

	/* As drop_pagecache_sb(): pin each inode, drop the list lock. */
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		spin_lock(&inode->i_lock);
		if ((inode->i_state & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    !IS_DAX(inode) ||
		    (!mapping_mapped(inode->i_mapping) &&
		     !inode->i_mapping->nrpages)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		mfroute_revoke_inode(inode);
		revoke->inodes++;
		iput(prev);
		prev = inode;
		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(prev);
}

/**
 * mfroute_revoke_disk() - revoke the DAX mappings of the filesystems on a disk
 * @disk: the disk (valid for the call), whole or partitioned
 *
 * Context: Process context; sleeps.  No router lock held: this takes
 * each block device's holder lock and its filesystem's s_umount.
 * Return: the number of inodes whose mappings were revoked.
 */
unsigned long mfroute_revoke_disk(struct gendisk *disk)
{
	struct mfroute_revoke revoke = { };
	struct block_device *part;
	unsigned long idx;

	/* As blk_report_disk_dead(): pin each block device, drop RCU. */
	rcu_read_lock();
	xa_for_each(&disk->part_tbl, idx, part) {
		if (!kobject_get_unless_zero(&part->bd_device.kobj))
			continue;
		rcu_read_unlock();
		bdev_super_call(part, mfroute_revoke_sb, &revoke);
		put_device(&part->bd_device);
		rcu_read_lock();
	}
	rcu_read_unlock();
	return revoke.inodes;
}
