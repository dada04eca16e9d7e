#include <stdlib.h>
#include "ring.h"

struct ring {
    int *data;
    int capacity;
    int head;   /* index of the oldest value */
    int count;  /* number of values held */
};

ring *ring_new(int capacity) {
    ring *r = malloc(sizeof *r);
    r->data = malloc(sizeof(int) * capacity);
    r->capacity = capacity;
    r->head = r->count = 0;
    return r;
}

void ring_free(ring *r) {
    free(r->data);
    free(r);
}

int ring_size(const ring *r) {
    return r->count;
}

int ring_push(ring *r, int value) {
    if (r->count == r->capacity) return -1;
    r->data[(r->head + r->count) % r->capacity] = value;
    r->count++;
    return 0;
}

int ring_push_overwrite(ring *r, int value) {
    if (r->count == r->capacity) {
        r->head = (r->head + 1) % r->capacity;
        r->count--;
    }
    return ring_push(r, value);
}

int ring_pop(ring *r, int *value) {
    if (r->count == 0) return -1;
    *value = r->data[r->head];
    r->head = (r->head + 1) % r->capacity;
    r->count--;
    return 0;
}
