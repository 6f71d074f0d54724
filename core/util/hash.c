/* SPDX-License-Identifier: Apache-2.0 */
#include "util/hash.h"

_Thread_local bool skr_hash_oom_flag;
