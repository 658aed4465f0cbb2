/* Shared by the libFuzzer harnesses: input bytes as a C string, and GLib
 * criticals made fatal so a refused g_return_if_fail is a crash the
 * fuzzer reports, not a line it ignores. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Inputs larger than this are cut: every bug worth finding in a parser
 * shows in a few kilobytes, and big inputs only slow the search. */
#define FUZZ_MAX_INPUT 65536

static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    size = size < FUZZ_MAX_INPUT ? size : FUZZ_MAX_INPUT;
    char *s = g_malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static inline void fuzz_fatal_criticals(void)
{
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL);
}

#endif
