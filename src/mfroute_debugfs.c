// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs glue for mfroute: /sys/kernel/debug/mfroute/.
 *
 * debugfs itself is mounted root-only (0700), so everything below it is
 * visible to root alone.
 */
#include <linux/debugfs.h>
#include <linux/err.h>

#include "mfroute.h"

static struct dentry *mfroute_dir;

int mfroute_debugfs_init(void)
{
	mfroute_dir = debugfs_create_dir("mfroute", NULL);
	return PTR_ERR_OR_ZERO(mfroute_dir);
}

void mfroute_debugfs_exit(void)
{
	debugfs_remove(mfroute_dir);
	mfroute_dir = NULL;
}
