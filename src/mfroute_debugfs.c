// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs glue for mfroute: /sys/kernel/debug/mfroute/.
 *
 *   ledger   per-device failed ranges and counters (read, root only)
 *   inject   test-only ranged failure injection (CONFIG_MFROUTE_INJECT)
 *
 * debugfs itself is mounted root-only (0700), so everything below it is
 * visible to root alone.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/seq_file.h>

#include "mfroute.h"

/* Room for the text of every ledger: 64 devices of a few lines each. */
#define MFROUTE_LEDGER_TEXT	(64 * 1024)

static struct dentry *mfroute_dir;

static int mfroute_ledger_show(struct seq_file *m, void *v)
{
	char *text = kvmalloc(MFROUTE_LEDGER_TEXT, GFP_KERNEL);
	ssize_t len;

	if (!text)
		return -ENOMEM;
	len = mfroute_rs_ledger_show(text, MFROUTE_LEDGER_TEXT);
	if (len > 0)
		seq_write(m, text, len);
	kvfree(text);
	return len < 0 ? len : 0;
}
DEFINE_SHOW_ATTRIBUTE(mfroute_ledger);

int mfroute_debugfs_init(void)
{
	mfroute_dir = debugfs_create_dir("mfroute", NULL);
	if (IS_ERR(mfroute_dir))
		return PTR_ERR(mfroute_dir);
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
