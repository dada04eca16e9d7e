#include <stdio.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

#include "rle.h"

static char buf[512], back[512];

static int round_trip(const char *s) {
    rle_encode(s, buf);
    rle_decode(buf, back);
    return strcmp(back, s) == 0;
}

int main(void) {
    rle_encode("", buf);            CHECK(strcmp(buf, "") == 0);
    rle_encode("XYZ", buf);         CHECK(strcmp(buf, "XYZ") == 0);
    rle_encode("WWWWBWW", buf);     CHECK(strcmp(buf, "4WB2W") == 0);
    rle_encode("aaaaaaaaaaaab", buf); CHECK(strcmp(buf, "12ab") == 0);
    rle_encode("  hsqq qww  ", buf); CHECK(strcmp(buf, "2 hs2q q2w2 ") == 0);
    rle_decode("", buf);            CHECK(strcmp(buf, "") == 0);
    rle_decode("XYZ", buf);         CHECK(strcmp(buf, "XYZ") == 0);
    rle_decode("12WB3C", buf);      CHECK(strcmp(buf, "WWWWWWWWWWWWBCCC") == 0);
    CHECK(round_trip("zzz ZZ  zZ"));
    CHECK(round_trip("aabbbccccccccccccccccccccd"));
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
