#ifndef RING_H
#define RING_H
typedef struct ring ring;
ring *ring_new(int capacity);
void ring_free(ring *r);
int ring_push(ring *r, int value);
int ring_push_overwrite(ring *r, int value);
int ring_pop(ring *r, int *value);
int ring_size(const ring *r);
#endif
