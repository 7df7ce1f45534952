#define _GNU_SOURCE
#include "CLinuxSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>
// termios2 and TCGETS2 come from the kernel headers; <termios.h> (glibc)
// must not be included in the same file.
#include <asm/termbits.h>
#include <linux/serial.h>
#include <asm/ioctls.h>

// MARK: - Pseudo-terminals

int devbridge_pty_open(int *master_fd, int *slave_fd, char *slave_name, size_t name_capacity) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -errno;
    if (grantpt(master) != 0 || unlockpt(master) != 0) {
        int saved = errno;
        close(master);
        return -saved;
    }
    int rc = ptsname_r(master, slave_name, name_capacity);
    if (rc != 0) {
        close(master);
        return -rc;
    }
    int slave = open(slave_name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (slave < 0) {
        int saved = errno;
        close(master);
        return -saved;
    }
    *master_fd = master;
    *slave_fd = slave;
    return 0;
}

// MARK: - Line settings

static const struct { speed_t code; uint32_t baud; } standard_speeds[] = {
    {B0, 0}, {B50, 50}, {B75, 75}, {B110, 110}, {B134, 134}, {B150, 150},
    {B200, 200}, {B300, 300}, {B600, 600}, {B1200, 1200}, {B1800, 1800},
    {B2400, 2400}, {B4800, 4800}, {B9600, 9600}, {B19200, 19200},
    {B38400, 38400}, {B57600, 57600}, {B115200, 115200}, {B230400, 230400},
    {B460800, 460800}, {B500000, 500000}, {B576000, 576000},
    {B921600, 921600}, {B1000000, 1000000}, {B1152000, 1152000},
    {B1500000, 1500000}, {B2000000, 2000000}, {B2500000, 2500000},
    {B3000000, 3000000}, {B3500000, 3500000}, {B4000000, 4000000},
};

static uint32_t decode_speed(speed_t code, speed_t explicit_speed) {
    if (code == BOTHER) return explicit_speed;
    for (size_t i = 0; i < sizeof(standard_speeds) / sizeof(standard_speeds[0]); i++) {
        if (standard_speeds[i].code == code) return standard_speeds[i].baud;
    }
    return explicit_speed;
}

// A standard rate gets its Bxxx code, so tools that read the legacy termios
// (stty, cfgetospeed) see it; any other rate goes through BOTHER.
static speed_t encode_speed(uint32_t baud) {
    for (size_t i = 0; i < sizeof(standard_speeds) / sizeof(standard_speeds[0]); i++) {
        if (standard_speeds[i].baud == baud) return standard_speeds[i].code;
    }
    return BOTHER;
}

int devbridge_line_settings_get(int fd, devbridge_line_settings *out) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -errno;
    out->baud = decode_speed(t.c_cflag & CBAUD, t.c_ospeed);
    switch (t.c_cflag & CSIZE) {
    case CS5: out->data_bits = 5; break;
    case CS6: out->data_bits = 6; break;
    case CS7: out->data_bits = 7; break;
    default: out->data_bits = 8; break;
    }
    if (!(t.c_cflag & PARENB)) {
        out->parity = DEVBRIDGE_PARITY_NONE;
    } else if (t.c_cflag & CMSPAR) {
        out->parity = (t.c_cflag & PARODD) ? DEVBRIDGE_PARITY_MARK : DEVBRIDGE_PARITY_SPACE;
    } else {
        out->parity = (t.c_cflag & PARODD) ? DEVBRIDGE_PARITY_ODD : DEVBRIDGE_PARITY_EVEN;
    }
    out->stop_bits = (t.c_cflag & CSTOPB) ? 2 : 1;
    return 0;
}

int devbridge_line_settings_set(int fd, const devbridge_line_settings *s, int make_raw) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -errno;
    if (make_raw) {
        t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        t.c_oflag &= ~OPOST;
        t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_cflag |= CREAD | CLOCAL;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
    }
    t.c_cflag &= ~(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CBAUD | (CBAUD << IBSHIFT));
    switch (s->data_bits) {
    case 5: t.c_cflag |= CS5; break;
    case 6: t.c_cflag |= CS6; break;
    case 7: t.c_cflag |= CS7; break;
    case 8: t.c_cflag |= CS8; break;
    default: return -EINVAL;
    }
    switch (s->parity) {
    case DEVBRIDGE_PARITY_NONE: break;
    case DEVBRIDGE_PARITY_ODD: t.c_cflag |= PARENB | PARODD; break;
    case DEVBRIDGE_PARITY_EVEN: t.c_cflag |= PARENB; break;
    case DEVBRIDGE_PARITY_MARK: t.c_cflag |= PARENB | CMSPAR | PARODD; break;
    case DEVBRIDGE_PARITY_SPACE: t.c_cflag |= PARENB | CMSPAR; break;
    default: return -EINVAL;
    }
    if (s->stop_bits == 2) t.c_cflag |= CSTOPB;
    else if (s->stop_bits != 1) return -EINVAL;
    speed_t code = encode_speed(s->baud);
    t.c_cflag |= code | (code << IBSHIFT);
    t.c_ispeed = s->baud;
    t.c_ospeed = s->baud;
    if (ioctl(fd, TCSETS2, &t) != 0) return -errno;
    return 0;
}

int devbridge_input_queue_length(int fd) {
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0) return -errno;
    return n;
}

// MARK: - Modem lines

int devbridge_modem_lines_get(int fd, int *bits) {
    if (ioctl(fd, TIOCMGET, bits) != 0) return -errno;
    return 0;
}

int devbridge_modem_lines_set(int fd, int bits) {
    if (ioctl(fd, TIOCMSET, &bits) != 0) return -errno;
    return 0;
}

int devbridge_line_errors_get(int fd, devbridge_line_errors *out) {
    struct serial_icounter_struct counts;
    memset(&counts, 0, sizeof counts);
    if (ioctl(fd, TIOCGICOUNT, &counts) != 0) return -errno;
    out->frame = counts.frame;
    out->overrun = counts.overrun;
    out->parity = counts.parity;
    out->brk = counts.brk;
    out->buf_overrun = counts.buf_overrun;
    return 0;
}

// MARK: - poll

int devbridge_wait_readable(int fd, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
    int rc = poll(&p, 1, timeout_ms);
    if (rc < 0) return errno == EINTR ? 0 : -errno;
    return rc > 0 ? 1 : 0;
}

// MARK: - Serial port control

int devbridge_flow_control_get(int fd, int *mode) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -errno;
    if (t.c_cflag & CRTSCTS) *mode = DEVBRIDGE_FLOW_HARDWARE;
    else if (t.c_iflag & (IXON | IXOFF)) *mode = DEVBRIDGE_FLOW_SOFTWARE;
    else *mode = DEVBRIDGE_FLOW_NONE;
    return 0;
}

int devbridge_flow_control_set(int fd, int mode) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -errno;
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    if (mode == DEVBRIDGE_FLOW_HARDWARE) t.c_cflag |= CRTSCTS;
    if (mode == DEVBRIDGE_FLOW_SOFTWARE) t.c_iflag |= IXON | IXOFF;
    if (ioctl(fd, TCSETS2, &t) != 0) return -errno;
    return 0;
}

int devbridge_break_set(int fd, int on) {
    if (ioctl(fd, on ? TIOCSBRK : TIOCCBRK) != 0) return -errno;
    return 0;
}

int devbridge_hupcl_set(int fd, int on) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -errno;
    if (on) t.c_cflag |= HUPCL; else t.c_cflag &= ~(tcflag_t)HUPCL;
    if (ioctl(fd, TCSETS2, &t) != 0) return -errno;
    return 0;
}

int devbridge_tty_exclusive(int fd, int on) {
    if (ioctl(fd, on ? TIOCEXCL : TIOCNXCL) != 0) return -errno;
    return 0;
}

// MARK: - inotify (one shared instance, many watches)

int devbridge_inotify_open(void) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int devbridge_inotify_add_open_close_watch(int inotify_fd, const char *path) {
    int wd = inotify_add_watch(inotify_fd, path, IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
    return wd < 0 ? -errno : wd;
}

int devbridge_inotify_remove_watch(int inotify_fd, int wd) {
    return inotify_rm_watch(inotify_fd, wd) != 0 ? -errno : 0;
}

int devbridge_inotify_read_watches(int inotify_fd, int *wds, int *kinds, int capacity) {
    // File watches carry no name: every event is sizeof(struct inotify_event)
    // and yields at most three kinds; read only as many events as surely fit.
    char buffer[256 * sizeof(struct inotify_event)]
        __attribute__((aligned(__alignof__(struct inotify_event))));
    if (capacity < 3) return -EINVAL;
    size_t max_events = (size_t)capacity / 3 < 256 ? (size_t)capacity / 3 : 256;
    ssize_t n = read(inotify_fd, buffer, max_events * sizeof(struct inotify_event));
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return 0;
        return -errno;
    }
    int count = 0;
    for (char *p = buffer; p < buffer + n;) {
        const struct inotify_event *ev = (const struct inotify_event *)p;
        if (ev->mask & IN_Q_OVERFLOW) {
            wds[count] = -1;
            kinds[count++] = DEVBRIDGE_WATCH_OVERFLOW;
        }
        if (ev->mask & IN_OPEN) {
            wds[count] = ev->wd;
            kinds[count++] = DEVBRIDGE_WATCH_OPENED;
        }
        if (ev->mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) {
            wds[count] = ev->wd;
            kinds[count++] = DEVBRIDGE_WATCH_CLOSED;
        }
        if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_UNMOUNT)) {
            wds[count] = ev->wd;
            kinds[count++] = DEVBRIDGE_WATCH_GONE;
        }
        p += sizeof(struct inotify_event) + ev->len;
    }
    return count;
}

// MARK: - Wake-ups

int devbridge_eventfd_open(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int devbridge_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof one) == sizeof one ? 0 : -errno;
}

int devbridge_eventfd_drain(int fd) {
    uint64_t value;
    return read(fd, &value, sizeof value) == sizeof value || errno == EAGAIN ? 0 : -errno;
}

int devbridge_wait_readable2(int fd1, int fd2, int timeout_ms) {
    struct pollfd p[2] = {{.fd = fd1, .events = POLLIN}, {.fd = fd2, .events = POLLIN}};
    int rc = poll(p, 2, timeout_ms);
    if (rc < 0) return errno == EINTR ? 0 : -errno;
    return ((p[0].revents & (POLLIN | POLLERR | POLLHUP)) ? 1 : 0) | ((p[1].revents & POLLIN) ? 2 : 0);
}
