/*
 * fuzz - what every fuzz target in tests/fuzz defines: libFuzzer's entry
 * point.  replay.c drives it over a committed corpus when the target is
 * built as a plain test program instead of against libFuzzer.
 */
#ifndef DANEOPS_FUZZ_H
#define DANEOPS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
