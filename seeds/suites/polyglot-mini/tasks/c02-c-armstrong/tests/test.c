#include <stdio.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

#include "armstrong.h"

int main(void) {
    CHECK(is_armstrong(0) == 1);
    CHECK(is_armstrong(5) == 1);
    CHECK(is_armstrong(10) == 0);
    CHECK(is_armstrong(153) == 1);
    CHECK(is_armstrong(100) == 0);
    CHECK(is_armstrong(9474) == 1);
    CHECK(is_armstrong(9475) == 0);
    CHECK(is_armstrong(9926315) == 1);
    CHECK(is_armstrong(9926314) == 0);
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
