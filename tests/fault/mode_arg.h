/* SPDX-License-Identifier: MIT */
/* The optional third argument of the open calls the fault shims wrap: the
 * mode is there only with O_CREAT or O_TMPFILE, as open(2) says
 * (__O_TMPFILE: O_TMPFILE holds O_DIRECTORY, which comes without a mode). */
#ifndef DIGESTD_TESTS_FAULT_MODE_ARG_H
#define DIGESTD_TESTS_FAULT_MODE_ARG_H

#include <stdarg.h>

#define MODE_ARG(flags, mode)                            \
	do {                                             \
		if ((flags) & (O_CREAT | __O_TMPFILE)) { \
			va_list ap;                      \
			va_start(ap, flags);             \
			mode = va_arg(ap, mode_t);       \
			va_end(ap);                      \
		}                                        \
	} while (0)

#endif
