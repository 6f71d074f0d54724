/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit handlers of socket syscalls. */
#ifndef SKR_PROGRAMS_NET_H
#define SKR_PROGRAMS_NET_H

#define L_SOCK_NONBLOCK 00004000
#define L_SOCK_CLOEXEC  02000000

SKR_EXIT(socket)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_SOCKET_X, 5, SKR_DC_OTHER);
    __u32 type = SKR_A1(regs);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, SKR_A0(regs));
    skr_push_u32(s, type);
    skr_push_u32(s, SKR_A2(regs));
    skr_push_u32(s, skr_nb_cloexec_flags(type & (L_SOCK_NONBLOCK | L_SOCK_CLOEXEC)));
    return skr_submit(s);
}

SKR_EXIT(socketpair)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_SOCKETPAIR_X, 8, SKR_DC_OTHER);
    __s32 fds[2] = { -1, -1 };
    struct sock *sk = NULL;
    __u64 peer = 0;

    if (!s) {
        return 0;
    }
    if (ret >= 0) {
        bpf_probe_read_user(fds, sizeof(fds), (const void *)SKR_A3(regs));
        sk = skr_file_sock(skr_fd_file(skr_task(), fds[0]));
        if (sk) {
            peer = (__u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
        }
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, fds[0]);
    skr_push_s64(s, fds[1]);
    skr_push_u64(s, (__u64)sk);
    skr_push_u64(s, peer);
    skr_push_u32(s, SKR_A0(regs));
    skr_push_u32(s, SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(bind)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_BIND_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_sockaddr(s, (const void *)SKR_A1(regs), SKR_A2(regs));
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    return skr_submit(s);
}

SKR_EXIT(connect)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_CONNECT_X, 4, SKR_DC_CONNECT);
    __s64 fd = SKR_I32(SKR_A0(regs));
    struct sock *sk = NULL;

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    /* -EINPROGRESS (non-blocking connect) has a tuple too. */
    if (ret == 0 || ret == -115) {
        sk = skr_file_sock(skr_fd_file(skr_task(), fd));
    }
    skr_push_socktuple(s, sk, 0);
    skr_push_s64(s, fd);
    skr_push_user_sockaddr(s, (const void *)SKR_A1(regs), SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(listen)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_LISTEN_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_s32(s, SKR_A1(regs));
    return skr_submit(s);
}

static __always_inline int skr_accept_common(struct pt_regs *regs, long ret, int is4)
{
    struct skr_scratch *s =
            skr_begin(is4 ? SKR_PPME_SOCKET_ACCEPT4_6_X : SKR_PPME_SOCKET_ACCEPT_5_X, is4 ? 6 : 5,
                      SKR_DC_OTHER);
    struct task_struct *task = skr_task();
    struct sock *sk = NULL, *lsk;
    __u32 qlen = 0, qmax = 0;
    __u8 pct = 0;

    if (!s) {
        return 0;
    }
    if (ret >= 0) {
        sk = skr_file_sock(skr_fd_file(task, ret));
    }
    lsk = skr_file_sock(skr_fd_file(task, SKR_I32(SKR_A0(regs))));
    if (lsk) {
        qlen = BPF_CORE_READ(lsk, sk_ack_backlog);
        qmax = BPF_CORE_READ(lsk, sk_max_ack_backlog);
        if (qmax) {
            pct = (__u8)((qlen * 100) / qmax);
        }
    }
    skr_push_s64(s, ret);
    skr_push_socktuple(s, sk, 1);
    skr_push_u8(s, pct);
    skr_push_u32(s, qlen);
    skr_push_u32(s, qmax);
    if (is4) {
        skr_push_s32(s, skr_nb_cloexec_flags(SKR_A3(regs)));
    }
    return skr_submit(s);
}

SKR_EXIT(accept)
{
    return skr_accept_common(regs, ret, 0);
}

SKR_EXIT(accept4)
{
    return skr_accept_common(regs, ret, 1);
}

/* The tuple of a send/recv: from the socket, or the user address when it has no peer. */
static __always_inline void skr_push_io_tuple(struct skr_scratch *s,
                                              struct sock *sk,
                                              const void *uaddr,
                                              __u32 ulen,
                                              int remote_first)
{
    __u32 pos = s->pos, idx = s->idx;

    if (skr_push_socktuple(s, sk, remote_first) || !sk || !uaddr) {
        return;
    }
    /* Unconnected datagram socket: rebuild the tuple with the user address as the peer. */
    {
        __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
        __u16 ufam = 0;

        bpf_probe_read_user(&ufam, sizeof(ufam), uaddr);
        if (family == SKR_LINUX_AF_INET && ufam == SKR_LINUX_AF_INET && ulen >= 8) {
            struct sockaddr_in in = {};
            __u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
            __u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
            __u8 *p;

            bpf_probe_read_user(&in, sizeof(in), uaddr);
            s->pos = pos;
            s->idx = idx;
            p = &s->data[pos & SKR_OFF_MASK];
            p[0] = SKR_AF_INET;
            if (remote_first) {
                *(__u32 *)&p[1] = in.sin_addr.s_addr;
                *(__u16 *)&p[5] = bpf_ntohs(in.sin_port);
                *(__u32 *)&p[7] = laddr;
                *(__u16 *)&p[11] = lport;
            } else {
                *(__u32 *)&p[1] = laddr;
                *(__u16 *)&p[5] = lport;
                *(__u32 *)&p[7] = in.sin_addr.s_addr;
                *(__u16 *)&p[11] = bpf_ntohs(in.sin_port);
            }
            s->pos += 13;
            skr_set_len(s, 13);
        } else if (family == SKR_LINUX_AF_INET6 && ufam == SKR_LINUX_AF_INET6 && ulen >= 24) {
            struct sockaddr_in6 in6 = {};
            struct in6_addr l = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
            __u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
            __u8 *p;

            bpf_probe_read_user(&in6, sizeof(in6), uaddr);
            s->pos = pos;
            s->idx = idx;
            p = &s->data[pos & SKR_OFF_MASK];
            p[0] = SKR_AF_INET6;
            if (remote_first) {
                __builtin_memcpy(&p[1], &in6.sin6_addr, 16);
                *(__u16 *)&p[17] = bpf_ntohs(in6.sin6_port);
                __builtin_memcpy(&p[19], &l, 16);
                *(__u16 *)&p[35] = lport;
            } else {
                __builtin_memcpy(&p[1], &l, 16);
                *(__u16 *)&p[17] = lport;
                __builtin_memcpy(&p[19], &in6.sin6_addr, 16);
                *(__u16 *)&p[35] = bpf_ntohs(in6.sin6_port);
            }
            s->pos += 37;
            skr_set_len(s, 37);
        }
    }
}

static __always_inline __u32 skr_snap(long ret)
{
    __u32 snap = skr_cfg.snaplen;

    if (ret <= 0) {
        return 0;
    }
    return (__u64)ret < snap ? (__u32)ret : snap;
}

SKR_EXIT(sendto)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_SENDTO_X, 5, SKR_DC_OTHER);
    __s64 fd = SKR_I32(SKR_A0(regs));

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_buf(s, (const void *)SKR_A1(regs), skr_snap(ret));
    skr_push_s64(s, fd);
    skr_push_u32(s, SKR_A2(regs));
    skr_push_io_tuple(s, skr_file_sock(skr_fd_file(skr_task(), fd)), (const void *)SKR_A4(regs),
                      SKR_A5(regs), 0);
    return skr_submit(s);
}

struct skr_user_msghdr {
    void *msg_name;
    int msg_namelen;
    struct iovec *msg_iov;
    __u64 msg_iovlen;
    void *msg_control;
    __u64 msg_controllen;
    unsigned int msg_flags;
};

static __always_inline __u64 skr_iov_total(struct skr_user_msghdr *m,
                                           void **first,
                                           __u64 *first_len)
{
    struct iovec iov[8] = {};
    __u64 n = m->msg_iovlen, total = 0;
    int i;

    *first = NULL;
    *first_len = 0;
    if (n > 8) {
        n = 8;
    }
    bpf_probe_read_user(iov, sizeof(iov[0]) * 8, m->msg_iov);
    for (i = 0; i < 8; i++) {
        if ((__u64)i >= n) {
            break;
        }
        total += iov[i].iov_len;
    }
    if (n > 0) {
        *first = iov[0].iov_base;
        *first_len = iov[0].iov_len;
    }
    return total;
}

SKR_EXIT(sendmsg)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_SENDMSG_X, 5, SKR_DC_OTHER);
    __s64 fd = SKR_I32(SKR_A0(regs));
    struct skr_user_msghdr m = {};
    void *first;
    __u64 first_len, total;
    __u32 snap = skr_snap(ret);

    if (!s) {
        return 0;
    }
    bpf_probe_read_user(&m, sizeof(m), (const void *)SKR_A1(regs));
    total = skr_iov_total(&m, &first, &first_len);
    if (snap > first_len) {
        snap = first_len;
    }
    skr_push_s64(s, ret);
    skr_push_user_buf(s, first, snap);
    skr_push_s64(s, fd);
    skr_push_u32(s, total);
    skr_push_io_tuple(s, skr_file_sock(skr_fd_file(skr_task(), fd)), m.msg_name, m.msg_namelen, 0);
    return skr_submit(s);
}

SKR_EXIT(recvfrom)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_RECVFROM_X, 5, SKR_DC_OTHER);
    __s64 fd = SKR_I32(SKR_A0(regs));
    __u32 alen = 0;

    if (!s) {
        return 0;
    }
    if (SKR_A5(regs)) {
        bpf_probe_read_user(&alen, sizeof(alen), (const void *)SKR_A5(regs));
    }
    skr_push_s64(s, ret);
    skr_push_user_buf(s, (const void *)SKR_A1(regs), skr_snap(ret));
    skr_push_io_tuple(s, skr_file_sock(skr_fd_file(skr_task(), fd)), (const void *)SKR_A4(regs),
                      alen, 1);
    skr_push_s64(s, fd);
    skr_push_u32(s, SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(recvmsg)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_RECVMSG_X, 6, SKR_DC_OTHER);
    __s64 fd = SKR_I32(SKR_A0(regs));
    struct skr_user_msghdr m = {};
    void *first;
    __u64 first_len, total;
    __u32 snap = skr_snap(ret), clen;

    if (!s) {
        return 0;
    }
    bpf_probe_read_user(&m, sizeof(m), (const void *)SKR_A1(regs));
    total = skr_iov_total(&m, &first, &first_len);
    if (snap > first_len) {
        snap = first_len;
    }
    clen = m.msg_controllen > 256 ? 256 : (__u32)m.msg_controllen;
    skr_push_s64(s, ret);
    skr_push_u32(s, total);
    skr_push_user_buf(s, first, snap);
    skr_push_io_tuple(s, skr_file_sock(skr_fd_file(skr_task(), fd)), m.msg_name, m.msg_namelen, 1);
    skr_push_user_buf(s, ret >= 0 ? m.msg_control : NULL, clen);
    skr_push_s64(s, fd);
    return skr_submit(s);
}

SKR_EXIT(shutdown)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SOCKET_SHUTDOWN_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u8(s, SKR_A1(regs) & 0xff);
    return skr_submit(s);
}

#endif /* SKR_PROGRAMS_NET_H */
