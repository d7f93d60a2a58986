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

/* At most this many stripes of one striped target on one member. */
#define MFROUTE_DM_MAX_STRIPES	16

/**
 * struct mfroute_dm_target - a dm target mapping a member, copied out
 * @upper: the mapped device's dax_device (referenced)
 * @name: the mapped device's disk name
 * @begin: first sector of the target in the mapped device
 * @len: sectors of the target
 * @member_start: where the target's data starts on the member, in sectors
 *	of the member's dax_device (partition start included)
 * @chunk: striped: chunk size in sectors; 0: linear
 * @stripes: striped: number of stripes
 * @stripe: striped: which stripe the member is
 */
struct mfroute_dm_target {
	struct dax_device *upper;
	char name[32];
	u64 begin;
	u64 len;
	u64 member_start;
	u64 chunk;
	u32 stripes;
	u32 stripe;
};

/* Rust: the router. */
int mfroute_rs_register(struct mfroute_holder *holder,
			struct dax_device *dax_dev, u64 start, u64 len,
			const char *name);
void mfroute_rs_unregister(struct mfroute_holder *holder);
ssize_t mfroute_rs_ledger_show(char *buf, size_t size);

/* C: holders, filesystems, debugfs. */
int mfroute_holder_deliver(struct mfroute_holder *holder, u64 off, u64 len,
			   int mf_flags);
void mfroute_holder_repair(struct mfroute_holder *holder, u64 off, u64 len);
unsigned long mfroute_revoke_dax_mappings(struct dax_device *dax_dev);
int mfroute_dm_targets(struct dax_device *member, struct mfroute_dm_target *out,
		       int max);
void mfroute_dm_put(struct mfroute_dm_target *targets, int n);
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
