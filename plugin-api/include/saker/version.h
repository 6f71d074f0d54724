/* SPDX-License-Identifier: Apache-2.0 */
/* The Saker release these headers belong to. */
#ifndef SAKER_VERSION_H
#define SAKER_VERSION_H

#define SAKER_VERSION_MAJOR 0
#define SAKER_VERSION_MINOR 1
#define SAKER_VERSION_PATCH 0
#define SAKER_VERSION_STR   "0.1.0"

#endif /* SAKER_VERSION_H */
