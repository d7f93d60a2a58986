/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functions shared between the C and Rust halves of mfroute.ko.  The
 * mfroute_rs_* ones are Rust (src/router.rs), the others C.
 */
#ifndef _MFROUTE_H
#define _MFROUTE_H

#include <linux/types.h>

struct dax_device;
struct dentry;
struct mfroute_holder;

/* Rust: the router. */
int mfroute_rs_register(struct mfroute_holder *holder,
			struct dax_device *dax_dev, u64 start, u64 len,
			const char *name);
void mfroute_rs_unregister(struct mfroute_holder *holder);
ssize_t mfroute_rs_ledger_show(char *buf, size_t size);

/* C: holders, filesystems, debugfs. */
int mfroute_holder_deliver(struct mfroute_holder *holder, u64 off, u64 len,
			   int mf_flags);
unsigned long mfroute_revoke_dax_mappings(struct dax_device *dax_dev);
int mfroute_debugfs_init(void);
void mfroute_debugfs_exit(void);

#ifdef CONFIG_MFROUTE_INJECT
void mfroute_inject_init(struct dentry *dir);
#else
static inline void mfroute_inject_init(struct dentry *dir)
{
}
#endif

#endif /* _MFROUTE_H */
