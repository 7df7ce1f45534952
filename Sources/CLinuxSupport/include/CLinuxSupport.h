#ifndef DEVBRIDGE_CLINUXSUPPORT_H
#define DEVBRIDGE_CLINUXSUPPORT_H

/// C shim for Linux interfaces Swift cannot reach directly (variadic ioctl,
/// termios2 with arbitrary baud rates, PTY helpers, inotify). Keep it small:
/// one function per kernel interface.
///
/// Conventions: every function returns 0 (or a non-negative count) on
/// success and `-errno` on failure; it never touches the global `errno`
/// contract beyond that, so callers need not read `errno` themselves.

#include <stddef.h>
#include <stdint.h>

// MARK: - Pseudo-terminals

/// Opens a new PTY pair: the master with posix_openpt/grantpt/unlockpt and
/// the slave by its name (O_RDWR | O_NOCTTY | O_NONBLOCK). Both descriptors are
/// close-on-exec. The slave's path (e.g. "/dev/pts/7") is written to
/// `slave_name` (NUL-terminated, at most `name_capacity` bytes).
int devbridge_pty_open(int *master_fd, int *slave_fd, char *slave_name, size_t name_capacity);

// MARK: - Line settings (termios2)

/// Parity values used by `devbridge_line_settings.parity`.
enum {
    DEVBRIDGE_PARITY_NONE = 0,
    DEVBRIDGE_PARITY_ODD = 1,
    DEVBRIDGE_PARITY_EVEN = 2,
    DEVBRIDGE_PARITY_MARK = 3,
    DEVBRIDGE_PARITY_SPACE = 4,
};

/// The framing part of a tty's termios: what a UART would be set to.
typedef struct devbridge_line_settings {
    /// Output baud rate in bits per second (any value, via BOTHER).
    uint32_t baud;
    /// Data bits per character: 5, 6, 7 or 8.
    int32_t data_bits;
    /// One of the DEVBRIDGE_PARITY_* values.
    int32_t parity;
    /// Stop bits: 1 or 2.
    int32_t stop_bits;
} devbridge_line_settings;

/// Reads the line settings of a tty with TCGETS2. Standard Bxxx speeds are
/// decoded; BOTHER speeds are read from c_ospeed.
int devbridge_line_settings_get(int fd, devbridge_line_settings *out);

/// Sets the line settings of a tty with TCSETS2: a standard rate with its
/// Bxxx code (what stty and cfgetospeed read), any other through BOTHER. If `make_raw` is non-zero the tty is also put in raw mode
/// (no echo, no canonical processing, no CR/LF translation, VMIN 1 VTIME 0),
/// like cfmakeraw; otherwise only CSIZE, PARENB, PARODD, CMSPAR, CSTOPB and
/// the speeds change.
int devbridge_line_settings_set(int fd, const devbridge_line_settings *settings, int make_raw);

/// Number of bytes queued for reading on `fd` (FIONREAD / TIOCINQ).
int devbridge_input_queue_length(int fd);

// MARK: - Modem lines

/// Reads the modem control lines (TIOCMGET) into `bits` (TIOCM_* values).
/// PTYs have no modem lines: expect -ENOTTY or -EINVAL there.
int devbridge_modem_lines_get(int fd, int *bits);

/// Sets the modem control lines (TIOCMSET).
int devbridge_modem_lines_set(int fd, int bits);

/// TIOCM_DTR, TIOCM_RTS, TIOCM_CTS, TIOCM_DSR, TIOCM_CD and TIOCM_RI as seen by this shim.
enum {
    DEVBRIDGE_TIOCM_DTR = 0x002,
    DEVBRIDGE_TIOCM_RTS = 0x004,
    DEVBRIDGE_TIOCM_CTS = 0x020,
    DEVBRIDGE_TIOCM_CD = 0x040,
    DEVBRIDGE_TIOCM_RI = 0x080,
    DEVBRIDGE_TIOCM_DSR = 0x100,
};

// MARK: - Line error counters

/// A UART's cumulative receive error counters (TIOCGICOUNT).
typedef struct {
    int frame;
    int overrun;
    int parity;
    int brk;
    int buf_overrun;
} devbridge_line_errors;

/// Reads the error counters of a real UART (TIOCGICOUNT). PTYs and many USB
/// adapters do not keep them: expect -ENOTTY or -EINVAL there.
int devbridge_line_errors_get(int fd, devbridge_line_errors *out);

// MARK: - inotify event kinds

/// Event kinds reported by `devbridge_inotify_read_watches`.
enum {
    DEVBRIDGE_WATCH_OPENED = 1,
    DEVBRIDGE_WATCH_CLOSED = 2,
    /// The watched file went away (IN_IGNORED, IN_DELETE_SELF, IN_UNMOUNT).
    DEVBRIDGE_WATCH_GONE = 3,
};

// MARK: - poll

/// Waits up to `timeout_ms` for `fd` to become readable. Returns 1 if
/// readable, 0 on timeout or EINTR, -errno on failure.
int devbridge_wait_readable(int fd, int timeout_ms);

// MARK: - Serial port control (used by SerialIO.SerialPort)

/// Flow control modes for `devbridge_flow_control_get/set`.
enum {
    DEVBRIDGE_FLOW_NONE = 0,
    /// XON/XOFF both ways (IXON | IXOFF).
    DEVBRIDGE_FLOW_SOFTWARE = 1,
    /// RTS/CTS (CRTSCTS).
    DEVBRIDGE_FLOW_HARDWARE = 2,
};

/// Reads the flow control mode of a tty (TCGETS2) into `mode`.
int devbridge_flow_control_get(int fd, int *mode);

/// Sets the flow control mode of a tty (TCGETS2 + TCSETS2; baud untouched).
int devbridge_flow_control_set(int fd, int mode);

/// Starts (`on` non-zero, TIOCSBRK) or ends (TIOCCBRK) a BREAK condition.
int devbridge_break_set(int fd, int on);

/// Sets (non-zero) or clears HUPCL, which drops DTR/RTS on last close.
int devbridge_hupcl_set(int fd, int on);

/// Sets (TIOCEXCL) or clears (TIOCNXCL) exclusive mode: further opens fail with EBUSY.
int devbridge_tty_exclusive(int fd, int on);

// MARK: - inotify (one shared instance, many watches)

/// Creates a non-blocking, close-on-exec inotify instance with no watches.
/// Returns its fd; -EMFILE when fs.inotify.max_user_instances is reached.
int devbridge_inotify_open(void);

/// Adds a watch for IN_OPEN, IN_CLOSE_WRITE and IN_CLOSE_NOWRITE on `path`
/// to `inotify_fd`. Returns the watch descriptor; -ENOSPC when
/// fs.inotify.max_user_watches is reached.
int devbridge_inotify_add_open_close_watch(int inotify_fd, const char *path);

/// Removes the watch `wd` from `inotify_fd` (the kernel queues IN_IGNORED).
int devbridge_inotify_remove_watch(int inotify_fd, int wd);

/// Event kind reported by `devbridge_inotify_read_watches` for IN_Q_OVERFLOW.
enum {
    /// The instance's queue overflowed (fs.inotify.max_queued_events): events were lost.
    DEVBRIDGE_WATCH_OVERFLOW = 4,
};

/// Reads pending events (non-blocking) from an instance with many file watches:
/// writes each event kind and the watch descriptor it belongs to, in order,
/// to `kinds` and `wds` (at most `capacity` entries; reads at most 256
/// events per call). An overflow is reported as DEVBRIDGE_WATCH_OVERFLOW
/// with wd -1. Returns the number written, 0 if none, -errno on failure.
int devbridge_inotify_read_watches(int inotify_fd, int *wds, int *kinds, int capacity);

// MARK: - Wake-ups

/// Creates a non-blocking, close-on-exec eventfd (a counter another thread
/// can signal to wake a poller). Returns its fd.
int devbridge_eventfd_open(void);

/// Adds one to the eventfd's counter (wakes a poller).
int devbridge_eventfd_signal(int fd);

/// Resets the eventfd's counter to zero (non-blocking).
int devbridge_eventfd_drain(int fd);

/// Waits up to `timeout_ms` (-1: forever) for `fd1` or `fd2` to become
/// readable. Returns a bit mask (1: fd1, 2: fd2), 0 on timeout or EINTR,
/// -errno on failure.
int devbridge_wait_readable2(int fd1, int fd2, int timeout_ms);

#endif
