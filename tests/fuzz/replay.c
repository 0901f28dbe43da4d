/* SPDX-License-Identifier: MIT */
/* Runs a libFuzzer target over files without libFuzzer, so that committed
 * corpora and crash inputs are replayed by `make check` with any compiler.
 * Passes only when every named file was read whole and replayed. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One byte more than the largest input replayed, to tell a longer file. */
static unsigned char input[(1u << 20) + 1];

/* Reads path whole into input[]. Returns 0, or a negative errno after
 * printing a FAIL line naming the file; -EFBIG when it does not fit. */
static int read_input(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int rc = 0;

	if (!f) {
		rc = -errno;
		printf("FAIL: replay %s: cannot open: %s\n", path, strerror(errno));
		return rc;
	}
	*len = fread(input, 1, sizeof(input), f);
	if (ferror(f)) {
		rc = -EIO;
		printf("FAIL: replay %s: cannot read\n", path);
	} else if (*len == sizeof(input)) {
		rc = -EFBIG;
		printf("FAIL: replay %s: larger than %zu bytes\n", path, sizeof(input) - 1);
	}
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	int failed = 0;

	/* Zero inputs would replay nothing: a target without a corpus (or a
	 * runner given the wrong folder) must not count as tested. */
	if (argc < 2) {
		printf("FAIL: replay: no input files given\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		size_t n = 0;

		if (read_input(argv[i], &n) < 0) {
			failed = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(input, n);
	}
	if (failed)
		return 1;
	printf("PASS: replayed %d inputs\n", argc - 1);
	return 0;
}
