#include "hamming.h"

int hamming(const char *a, const char *b) {
    int count = 0;
    for (int i = 0; a[i] != '\0'; i++) {
        if (a[i] == b[i]) count++;
    }
    return count;
}
