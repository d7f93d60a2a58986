// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoints and rate-limited logging for the Rust router: 6.12 has no
 * Rust tracepoints or rate-limited printing, so the router calls these.
 * Strings are the router's NUL-terminated buffers, valid for the call.
 */
#include <linux/ratelimit.h>

#define CREATE_TRACE_POINTS
#include "mfroute_trace.h"

#include "mfroute.h"

void mfroute_trace_event(u64 seq, u32 dev, const char *name, u64 offset,
			 u64 len, int flags, const char *origin)
{
	trace_mfroute_event(seq, dev, name, offset, len, flags, origin);
}

void mfroute_trace_deliver(u64 seq, const char *kind, u32 dev,
			   const char *name, u64 sector, u64 nr_sectors,
			   int flags, int result)
{
	trace_mfroute_deliver(seq, kind, dev, name, sector, nr_sectors, flags,
			      result);
}

void mfroute_trace_absorb(u64 seq, u32 dev, const char *name, u64 offset,
			  u64 len, const char *reason)
{
	trace_mfroute_absorb(seq, dev, name, offset, len, reason);
}

void mfroute_trace_fallback(u64 seq, u32 dev, const char *name, u64 offset,
			    u64 len, const char *reason)
{
	trace_mfroute_fallback(seq, dev, name, offset, len, reason);
}

/*
 * Whether the router may log one more line about an event now: at most
 * ten every five seconds, as printk_ratelimit(), so that a storm of
 * failures (262,144 per GiB page by page) does not become a storm of
 * log lines under mf_mutex.
 */
bool mfroute_log_ratelimit(void)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	return __ratelimit(&rs);
}
