#include "armstrong.h"

int is_armstrong(unsigned int n) {
    (void)n;
    return 0;
}
