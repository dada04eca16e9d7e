#include <stdlib.h>
#include "ring.h"

struct ring {
    int *data;
    int capacity;
    int head;   /* index of the oldest value */
    int tail;   /* index where the next value goes */
};

ring *ring_new(int capacity) {
    ring *r = malloc(sizeof *r);
    r->data = malloc(sizeof(int) * capacity);
    r->capacity = capacity;
    r->head = r->tail = 0;
    return r;
}

void ring_free(ring *r) {
    free(r->data);
    free(r);
}

int ring_size(const ring *r) {
    return r->tail - r->head;
}

int ring_push(ring *r, int value) {
    if (ring_size(r) > r->capacity) return -1;
    r->data[r->tail] = value;
    r->tail++;
    return 0;
}

int ring_push_overwrite(ring *r, int value) {
    return ring_push(r, value);
}

int ring_pop(ring *r, int *value) {
    if (r->head == r->tail) return -1;
    *value = r->data[r->head];
    r->head++;
    return 0;
}
