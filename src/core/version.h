/* SPDX-License-Identifier: MIT */
/* digestd's version, shown by `digestd version` and in the User-Agent. */
#ifndef DIGESTD_VERSION_H
#define DIGESTD_VERSION_H

#define DIGESTD_VERSION "0.1.0"

#endif
