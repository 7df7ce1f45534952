#ifndef DEVBRIDGE_CLINUXSUPPORT_H
#define DEVBRIDGE_CLINUXSUPPORT_H
/// C shim for Linux interfaces Swift cannot reach directly (variadic ioctl,
/// termios2, PTY helpers). Keep it small: one function per kernel interface.
int devbridge_clinux_version(void);
#endif
