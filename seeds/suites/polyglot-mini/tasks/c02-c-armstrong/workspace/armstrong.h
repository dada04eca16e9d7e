#ifndef ARMSTRONG_H
#define ARMSTRONG_H
int is_armstrong(unsigned int n);
#endif
