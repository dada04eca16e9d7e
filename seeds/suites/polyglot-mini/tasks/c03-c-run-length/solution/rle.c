#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include "rle.h"

void rle_encode(const char *in, char *out) {
    while (*in) {
        const char *run = in;
        while (*in == *run) in++;
        long n = in - run;
        if (n > 1) out += sprintf(out, "%ld", n);
        *out++ = *run;
    }
    *out = '\0';
}

void rle_decode(const char *in, char *out) {
    while (*in) {
        long n = 1;
        if (isdigit((unsigned char)*in)) {
            char *end;
            n = strtol(in, &end, 10);
            in = end;
        }
        if (!*in) break;
        for (long i = 0; i < n; i++) *out++ = *in;
        in++;
    }
    *out = '\0';
}
