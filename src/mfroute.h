/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functions shared between the C and Rust halves of mfroute.ko.  The
 * mfroute_rs_* ones are Rust (src/holder_api.rs, src/dm.rs, src/router.rs,
 * src/debugfs.rs, src/sysfs.rs), the others C.
 */
#ifndef _MFROUTE_H
#define _MFROUTE_H

#include <linux/types.h>

struct block_device;
struct dax_device;
struct dentry;
struct gendisk;
struct mapped_device;
struct mfroute_holder;
struct seq_file;

/**
 * struct mfroute_dm_use - a target of a live table using a member
 * @md: the mapped device, referenced (mfroute_dm_put())
 * @upper: its dax_device (valid while @md is referenced), or NULL
 * @generation: the sequence count of the table this comes from
 * @begin: first sector of the target in the mapped device
 * @len: sectors of the target
 * @translatable: the target reported its layout (linear, striped)
 * @dev_start: translatable: where the target's data starts on the member,
 *	in sectors of the member's dax_device (partition start included);
 *	otherwise where the target uses the member
 * @dev_len: untranslatable: how many sectors of the member it uses
 * @chunk: striped: chunk size in sectors; 0: linear
 * @stripes: striped: number of stripes; 1: linear
 * @stripe: striped: which stripe the member is
 * @suspended: the mapped device is suspended (its I/O waits for a resume)
 */
struct mfroute_dm_use {
	struct mapped_device *md;
	struct dax_device *upper;
	unsigned int generation;
	u64 begin;
	u64 len;
	bool translatable;
	u64 dev_start;
	u64 dev_len;
	u64 chunk;
	u32 stripes;
	u32 stripe;
	bool suspended;
};

/* C: device-mapper (mfroute_dm.c). */
int mfroute_dm_uses(struct dax_device *member, void *ctx);
bool mfroute_dm_changed(struct mapped_device *md, unsigned int generation);
void mfroute_dm_put(struct mapped_device *md);

/* C: disks (mfroute_fs.c). */
int mfroute_disk_partitions(struct gendisk *disk, u64 *starts, u64 *lens,
			    int max);
bool mfroute_disk_has_partitions(struct gendisk *disk);
u32 mfroute_disk_devt(struct gendisk *disk);
const char *mfroute_disk_name(struct gendisk *disk);
u32 mfroute_dax_devt(struct dax_device *dax_dev);
void mfroute_dax_name(struct dax_device *dax_dev, char *buf, size_t len);

/* C: holders (mfroute_holder.c). */
int mfroute_holder_deliver(struct mfroute_holder *holder, u64 seq, u64 off,
			   u64 len, int mf_flags);
void mfroute_holder_repair(struct mfroute_holder *holder, u64 seq, u64 off,
			   u64 len);
void mfroute_reprobe_schedule(unsigned int delay_ms);
void mfroute_reprobe_cancel(void);
void mfroute_notify_schedule(void);
void mfroute_notify_flush(void);
void mfroute_notify_cancel(void);
void mfroute_defer_schedule(unsigned int delay_ms);
void mfroute_defer_cancel(void);
unsigned int mfroute_ledger_spares(void);
void mfroute_refill_schedule(void);
void mfroute_refill_cancel(void);

/* C: debugfs (mfroute_debugfs.c), tracing and logs (mfroute_trace.c). */
int mfroute_debugfs_init(void);
void mfroute_debugfs_exit(void);
bool mfroute_log_ratelimit(void);
void mfroute_trace_event(u64 seq, u32 dev, const char *name, u64 offset,
			 u64 len, int flags, const char *origin);
void mfroute_trace_deliver(u64 seq, const char *kind, u32 dev,
			   const char *name, u64 sector, u64 nr_sectors,
			   int flags, int result);
void mfroute_trace_absorb(u64 seq, u32 dev, const char *name, u64 offset,
			  u64 len, const char *reason);
void mfroute_trace_fallback(u64 seq, u32 dev, const char *name, u64 offset,
			    u64 len, const char *reason);

/* C: sysfs (mfroute_sysfs.c), /sys/kernel/mfroute/. */
enum mfroute_sysfs_attr {
	MFROUTE_SYSFS_STAT,
	MFROUTE_SYSFS_FAILED,
};

int mfroute_sysfs_init(const char *version);
void mfroute_sysfs_exit(void);
int mfroute_sysfs_add(const void *device, u32 devt, const char *name);
void mfroute_sysfs_remove(const void *device);

#ifdef CONFIG_MFROUTE_INJECT
void mfroute_inject_init(struct dentry *dir);
#else
static inline void mfroute_inject_init(struct dentry *dir)
{
}
#endif

/* Rust. */
int mfroute_rs_register(struct mfroute_holder *holder,
			struct dax_device *dax_dev, u64 start, u64 len,
			void **token);
void mfroute_rs_unregister(void *token, struct dax_device *dax_dev);
int mfroute_rs_dm_use(void *ctx, const struct mfroute_dm_use *use);
void mfroute_rs_reprobe(void);
void mfroute_rs_notify(void);
void mfroute_rs_defer(void);
void mfroute_rs_refill(void);
int mfroute_rs_ledger_show(struct seq_file *m);
ssize_t mfroute_rs_device_show(const void *device,
			       enum mfroute_sysfs_attr attr, char *buf);
void mfroute_rs_device_put(const void *device);

#endif /* _MFROUTE_H */
