#include <string.h>
#include "hamming.h"

int hamming(const char *a, const char *b) {
    if (strlen(a) != strlen(b)) return -1;
    int count = 0;
    for (int i = 0; a[i] != '\0'; i++) {
        if (a[i] != b[i]) count++;
    }
    return count;
}
