// SPDX-License-Identifier: GPL-2.0
/*
 * Revoke the DAX mappings of filesystems without dax holder operations.
 *
 * xfs hears of a dying pmem through its holder operations and unmaps what
 * it must; ext4, ext2 and erofs are not told, and the DAX mappings of
 * their files would outlive the device.  When the router sees a removal
 * that no holder took, it unmaps every DAX mapping of every superblock on
 * that dax_device and drops their DAX page cache entries, so the next
 * access faults instead of reading memory that is no longer the
 * namespace's, and evicting the inodes later does not touch the removed
 * memmap.
 */
#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "mfroute.h"

struct mfroute_revoke {
	struct dax_device *dax_dev;
	unsigned long inodes;
};

static void mfroute_revoke_sb(struct super_block *sb, void *arg)
{
	struct mfroute_revoke *revoke = arg;
	struct inode *inode, *prev = NULL;
	struct address_space *mapping;
	struct dax_device *dax_dev;
	u64 start;

	if (!sb->s_bdev)
		return;
	dax_dev = fs_dax_get_by_bdev(sb->s_bdev, &start, NULL, NULL);
	if (!dax_dev)
		return;
	fs_put_dax(dax_dev, NULL);
	if (dax_dev != revoke->dax_dev)
		return;

	/* As drop_pagecache_sb(): pin each inode, drop the list lock. */
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		spin_lock(&inode->i_lock);
		mapping = inode->i_mapping;
		if ((inode->i_state & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    !IS_DAX(inode) ||
		    (!mapping_mapped(mapping) && !mapping->nrpages)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		/*
		 * Unmap, and drop the DAX entries too: they point into the
		 * memmap that goes away with the device, and evicting the
		 * inode later (umount) would touch it.
		 */
		filemap_invalidate_lock(mapping);
		unmap_mapping_range(mapping, 0, 0, 1);
		truncate_inode_pages(mapping, 0);
		filemap_invalidate_unlock(mapping);
		revoke->inodes++;
		iput(prev);
		prev = inode;
		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(prev);
}

/* Unmap all DAX mappings on @dax_dev; returns the number of inodes. */
unsigned long mfroute_revoke_dax_mappings(struct dax_device *dax_dev)
{
	struct mfroute_revoke revoke = { .dax_dev = dax_dev };

	iterate_supers(mfroute_revoke_sb, &revoke);
	return revoke.inodes;
}
