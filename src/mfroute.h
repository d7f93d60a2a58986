/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functions shared between the C and Rust halves of mfroute.ko.
 */
#ifndef _MFROUTE_H
#define _MFROUTE_H

int mfroute_debugfs_init(void);
void mfroute_debugfs_exit(void);

#endif /* _MFROUTE_H */
