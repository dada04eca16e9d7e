#include <stdio.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

#include "ring.h"

int main(void) {
    int v = 0;
    ring *r = ring_new(3);
    CHECK(ring_pop(r, &v) == -1);
    CHECK(ring_push(r, 1) == 0);
    CHECK(ring_push(r, 2) == 0);
    CHECK(ring_push(r, 3) == 0);
    CHECK(ring_push(r, 4) == -1);
    CHECK(ring_size(r) == 3);
    CHECK(ring_pop(r, &v) == 0 && v == 1);
    CHECK(ring_push(r, 4) == 0);               /* wraps around */
    CHECK(ring_size(r) == 3);
    CHECK(ring_pop(r, &v) == 0 && v == 2);
    CHECK(ring_pop(r, &v) == 0 && v == 3);
    CHECK(ring_pop(r, &v) == 0 && v == 4);
    CHECK(ring_pop(r, &v) == -1);
    CHECK(ring_size(r) == 0);
    for (int round = 0; round < 10; round++) {  /* many laps */
        CHECK(ring_push(r, round) == 0);
        CHECK(ring_push(r, round + 100) == 0);
        CHECK(ring_pop(r, &v) == 0 && v == round);
        CHECK(ring_pop(r, &v) == 0 && v == round + 100);
    }
    CHECK(ring_push(r, 7) == 0 && ring_push(r, 8) == 0 && ring_push(r, 9) == 0);
    CHECK(ring_push_overwrite(r, 10) == 0);
    CHECK(ring_size(r) == 3);
    CHECK(ring_pop(r, &v) == 0 && v == 8);
    CHECK(ring_push_overwrite(r, 11) == 0);
    CHECK(ring_pop(r, &v) == 0 && v == 9);
    CHECK(ring_pop(r, &v) == 0 && v == 10);
    CHECK(ring_pop(r, &v) == 0 && v == 11);
    CHECK(ring_size(r) == 0);
    ring_free(r);
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
