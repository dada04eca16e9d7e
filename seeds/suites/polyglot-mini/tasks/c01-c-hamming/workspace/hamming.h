#ifndef HAMMING_H
#define HAMMING_H
int hamming(const char *a, const char *b);
#endif
