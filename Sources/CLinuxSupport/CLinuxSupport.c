#define _GNU_SOURCE
#include "CLinuxSupport.h"
int devbridge_clinux_version(void) { return 1; }
