#ifndef DEVBRIDGE_CFUZZING_H
#define DEVBRIDGE_CFUZZING_H
// libFuzzer's driver entry point (compiler-rt's FuzzerInterface.h), for `make fuzz`. Defined by
// libclang_rt.fuzzer when linking with -sanitize=fuzzer; only the DEVBRIDGE_LIBFUZZER build of
// devbridge-fuzz refers to it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
