/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfroute's tracepoints: a failure entering the router, each holder it
 * calls, and the parts absorbed or left to the per-page path.  The names
 * and fields are stable (Documentation/mfroute/tracing.rst); all records
 * of one failure share its seq.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mfroute

#if !defined(_MFROUTE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MFROUTE_TRACE_H

#include <linux/kdev_t.h>
#include <linux/tracepoint.h>

TRACE_EVENT(mfroute_event,
	TP_PROTO(u64 seq, u32 dev, const char *name, u64 offset, u64 len,
		 int flags, const char *origin),
	TP_ARGS(seq, dev, name, offset, len, flags, origin),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, dev)
		__string(name, name)
		__field(u64, offset)
		__field(u64, len)
		__field(int, flags)
		__string(origin, origin)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->dev = dev;
		__assign_str(name);
		__entry->offset = offset;
		__entry->len = len;
		__entry->flags = flags;
		__assign_str(origin);
	),
	TP_printk("seq=%llu dev=%u:%u name=%s offset=%#llx len=%#llx flags=%#x origin=%s",
		  __entry->seq, MAJOR(new_decode_dev(__entry->dev)),
		  MINOR(new_decode_dev(__entry->dev)), __get_str(name),
		  __entry->offset, __entry->len, __entry->flags,
		  __get_str(origin))
);

TRACE_EVENT(mfroute_deliver,
	TP_PROTO(u64 seq, const char *kind, u32 dev, const char *name,
		 u64 sector, u64 nr_sectors, int flags, int result),
	TP_ARGS(seq, kind, dev, name, sector, nr_sectors, flags, result),
	TP_STRUCT__entry(
		__field(u64, seq)
		__string(kind, kind)
		__field(u32, dev)
		__string(name, name)
		__field(u64, sector)
		__field(u64, nr_sectors)
		__field(int, flags)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__assign_str(kind);
		__entry->dev = dev;
		__assign_str(name);
		__entry->sector = sector;
		__entry->nr_sectors = nr_sectors;
		__entry->flags = flags;
		__entry->result = result;
	),
	TP_printk("seq=%llu kind=%s dev=%u:%u name=%s sector=%llu nr_sectors=%llu flags=%#x result=%d",
		  __entry->seq, __get_str(kind),
		  MAJOR(new_decode_dev(__entry->dev)),
		  MINOR(new_decode_dev(__entry->dev)), __get_str(name),
		  __entry->sector, __entry->nr_sectors, __entry->flags,
		  __entry->result)
);

DECLARE_EVENT_CLASS(mfroute_part,
	TP_PROTO(u64 seq, u32 dev, const char *name, u64 offset, u64 len,
		 const char *reason),
	TP_ARGS(seq, dev, name, offset, len, reason),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, dev)
		__string(name, name)
		__field(u64, offset)
		__field(u64, len)
		__string(reason, reason)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->dev = dev;
		__assign_str(name);
		__entry->offset = offset;
		__entry->len = len;
		__assign_str(reason);
	),
	TP_printk("seq=%llu dev=%u:%u name=%s offset=%#llx len=%#llx reason=%s",
		  __entry->seq, MAJOR(new_decode_dev(__entry->dev)),
		  MINOR(new_decode_dev(__entry->dev)), __get_str(name),
		  __entry->offset, __entry->len, __get_str(reason))
);

DEFINE_EVENT(mfroute_part, mfroute_absorb,
	TP_PROTO(u64 seq, u32 dev, const char *name, u64 offset, u64 len,
		 const char *reason),
	TP_ARGS(seq, dev, name, offset, len, reason));

DEFINE_EVENT(mfroute_part, mfroute_fallback,
	TP_PROTO(u64 seq, u32 dev, const char *name, u64 offset, u64 len,
		 const char *reason),
	TP_ARGS(seq, dev, name, offset, len, reason));

#endif /* _MFROUTE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mfroute_trace
#include <trace/define_trace.h>
