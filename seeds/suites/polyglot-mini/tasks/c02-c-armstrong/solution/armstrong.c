#include "armstrong.h"

int is_armstrong(unsigned int n) {
    unsigned int digits = 0, rest = n;
    do { digits++; rest /= 10; } while (rest);
    unsigned long long sum = 0;
    for (rest = n; rest; rest /= 10) {
        unsigned long long p = 1;
        for (unsigned int i = 0; i < digits; i++) p *= rest % 10;
        sum += p;
    }
    return sum == n;
}
