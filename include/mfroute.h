/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfroute holder API: be told of persistent-memory failures as ranges.
 *
 * A holder registers interest in a byte range of a DAX-capable block
 * device (a pmem namespace, a partition of one, or a device-mapper device
 * over them), or of a device-dax instance.  When part of that range fails,
 * or is about to be removed, mfroute calls the holder once per contiguous
 * range, with offsets in the holder's own device.
 * See Documentation/mfroute/holders.rst.
 */
#ifndef _MFROUTE_API_H
#define _MFROUTE_API_H

#include <linux/types.h>

struct dax_device;
struct mfroute_holder;

/**
 * struct mfroute_holder_ops - what a holder is told
 * @notify_failure: @len bytes at byte @offset of the holder's device
 *	failed (MF_* flags in @mf_flags; MF_MEM_PRE_REMOVE: the range is
 *	about to be removed, no data was lost yet).  Called from mfroute's
 *	notify work, in process context, with no lock of the failure path
 *	held; it may sleep, but it delays the holders told after it.  It must
 *	not register or unregister holders, nor call mfroute_holder_flush().
 *	Return 0 when handled; a holder that fails is told again at the next
 *	failure there.
 * @notify_repair: optional: @len bytes at @offset that were reported
 *	failed are good again (cleared by the platform, or rewritten).  Same
 *	context as @notify_failure.
 */
struct mfroute_holder_ops {
	int (*notify_failure)(struct mfroute_holder *holder, void *data,
			      u64 offset, u64 len, int mf_flags);
	void (*notify_repair)(struct mfroute_holder *holder, void *data,
			      u64 offset, u64 len);
};

struct mfroute_holder *mfroute_holder_register(dev_t dev, u64 offset, u64 len,
		const struct mfroute_holder_ops *ops, void *data);
struct mfroute_holder *mfroute_holder_register_dax(struct dax_device *dax_dev,
		u64 offset, u64 len, const struct mfroute_holder_ops *ops,
		void *data);
void mfroute_holder_unregister(struct mfroute_holder *holder);
void mfroute_holder_flush(void);

#endif /* _MFROUTE_API_H */
