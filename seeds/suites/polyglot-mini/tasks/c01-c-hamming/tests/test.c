#include <stdio.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

#include "hamming.h"

int main(void) {
    CHECK(hamming("", "") == 0);
    CHECK(hamming("A", "A") == 0);
    CHECK(hamming("G", "T") == 1);
    CHECK(hamming("GGACTGAAATCTG", "GGACTGAAATCTG") == 0);
    CHECK(hamming("GGACGGATTCTG", "AGGACGGATTCT") == 9);
    CHECK(hamming("AATG", "AAA") == -1);
    CHECK(hamming("ATA", "AGTG") == -1);
    CHECK(hamming("", "G") == -1);
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
