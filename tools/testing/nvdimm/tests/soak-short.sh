#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
# timeout: 900
#
# The soak of bench/soak.sh, short enough for make check: 300 random
# ranged (1..16 pages) and per-page failures over pmem, a partition,
# dm-linear, dm-striped and a nested dm stack, each with xfs and the
# sample holder, in one boot.  Asserted (see bench/soak.sh): every
# injection answered ok; on each pmem, delivered + absorbed + fallback
# bytes = injected bytes; every ledger balances; each xfs was told
# exactly the pages injected under it, at offsets computed from the
# stacks' geometry, and nothing went per page; on every device the
# holder was called once per new range routed there (delivered + fallback
# ranges); no sanitizer report.  SEED=N (mfrtest_env) replays a run; the
# seed is printed.
SOAK_INJECTIONS=300 SOAK_MAX_PAGES=16 SOAK_NAME=soak-short exec sh /bench/soak.sh
