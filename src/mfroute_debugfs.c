// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs glue for mfroute: /sys/kernel/debug/mfroute/.
 *
 *   ledger   per-device failed ranges and counters (read, root only)
 *   inject   test-only ranged failure injection (CONFIG_MFROUTE_INJECT)
 *
 * debugfs itself is mounted root-only (0700), so everything below it is
 * visible to root alone.  Without debugfs these files are simply absent.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/seq_file.h>

#include "mfroute.h"

static struct dentry *mfroute_dir;

/* seq_file grows its buffer and calls again when the text does not fit. */
static int mfroute_ledger_show(struct seq_file *m, void *v)
{
	return mfroute_rs_ledger_show(m);
}
DEFINE_SHOW_ATTRIBUTE(mfroute_ledger);

int mfroute_debugfs_init(void)
{
	mfroute_dir = debugfs_create_dir("mfroute", NULL);
	if (IS_ERR(mfroute_dir))
		return 0;	/* no debugfs: routing works without it */
	debugfs_create_file("ledger", 0400, mfroute_dir, NULL,
			    &mfroute_ledger_fops);
	mfroute_inject_init(mfroute_dir);
	return 0;
}

void mfroute_debugfs_exit(void)
{
	debugfs_remove(mfroute_dir);
	mfroute_dir = NULL;
}
