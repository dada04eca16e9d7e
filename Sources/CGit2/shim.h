#ifndef EVOLVE_CGIT2_SHIM_H
#define EVOLVE_CGIT2_SHIM_H
#include <git2.h>
#endif
