// libudev for Swift (Debian: libudev-dev). Used only by the Discovery module.
#ifndef DEVBRIDGE_CUDEV_SHIM_H
#define DEVBRIDGE_CUDEV_SHIM_H
#include <libudev.h>
#endif
