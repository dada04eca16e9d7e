#ifndef RLE_H
#define RLE_H
void rle_encode(const char *in, char *out);
void rle_decode(const char *in, char *out);
#endif
