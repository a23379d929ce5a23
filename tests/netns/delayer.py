"""A packet delayer and dropper for one network namespace: what `tc qdisc
add ... netem delay D J loss L` does, for kernels built without sch_netem
(CONFIG_NET_SCH_NETEM is not set on the CI machine's kernel).

iptables sends the packets to impair to an NFQUEUE (network.py adds the
rules); this process reads them from the queue over netlink and answers
each with a verdict: NF_DROP with probability --loss, otherwise NF_ACCEPT
once --delay-ms +- --jitter-ms (uniform) has passed. The kernel holds the
packet meanwhile, and verdicts may come in any order, so a delay costs no
copy. Packets keep their order per direction (a later packet is never let
through before an earlier one, as netem with a rate), which keeps TCP from
seeing reordering the real network would not add.

Run it inside the namespace (`ip netns exec NS python3 delayer.py ...`):
netlink sockets belong to the namespace they are opened in. Standard
library only: the netlink messages are packed by hand.
"""
import argparse
import collections
import random
import select
import socket
import struct
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1  # the packet's id and hook, not its bytes
NF_DROP, NF_ACCEPT = 0, 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NETLINK_NO_ENOBUFS = 5
SOL_NETLINK = 270


def attribute(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def message(kind, queue, attributes, flags=NLM_F_REQUEST):
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + b"".join(attributes)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def attributes_of(data):
    """{type: payload} of the attributes after an nfgenmsg."""
    found, pos = {}, 4
    while pos + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, pos)
        if length < 4:
            break
        found[kind & 0x3FFF] = data[pos + 4:pos + length]
        pos += (length + 3) & ~3
    return found


class Delayer:
    def __init__(self, queue, delay, jitter, loss):
        self.queue, self.delay, self.jitter, self.loss = queue, delay, jitter, loss
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        self.sock.bind((0, 0))
        self.held = collections.defaultdict(collections.deque)  # hook -> deque of (release time, id)
        self.passed = self.dropped = 0

    def bind(self):
        self.config(attribute(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)))
        self.config(attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)))
        self.config(attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 65536)))

    def config(self, attr):
        self.sock.send(message(NFQNL_MSG_CONFIG, self.queue, [attr], NLM_F_REQUEST | NLM_F_ACK))
        reply = self.sock.recv(65536)
        kind = struct.unpack_from("=H", reply, 4)[0]
        if kind == NLMSG_ERROR:
            error = struct.unpack_from("=i", reply, 16)[0]
            if error:
                raise OSError(-error, f"NFQUEUE config of queue {self.queue} refused")

    def verdict(self, packet_id, verdict):
        attr = attribute(NFQA_VERDICT_HDR, struct.pack("!II", verdict, packet_id))
        self.sock.send(message(NFQNL_MSG_VERDICT, self.queue, [attr]))

    def take(self, data, now):
        pos = 0
        while pos + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, pos)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                header = attributes_of(data[pos + 16:pos + length]).get(NFQA_PACKET_HDR)
                if header:
                    packet_id, _, hook = struct.unpack("!IHB", header[:7])
                    if random.random() < self.loss:
                        self.verdict(packet_id, NF_DROP)
                        self.dropped += 1
                    else:
                        held = self.held[hook]
                        release = now + self.delay + random.uniform(-self.jitter, self.jitter)
                        if held and release < held[-1][0]:
                            release = held[-1][0]  # in order, per direction
                        held.append((release, packet_id))
            pos += (length + 3) & ~3

    def release_due(self, now):
        for held in self.held.values():
            while held and held[0][0] <= now:
                self.verdict(held.popleft()[1], NF_ACCEPT)
                self.passed += 1

    def next_release(self):
        return min((held[0][0] for held in self.held.values() if held), default=None)

    def run(self):
        self.bind()
        print(f"delayer on queue {self.queue}: {self.delay * 1000:.1f} ms +- {self.jitter * 1000:.1f} ms, "
              f"loss {self.loss:.3f}", flush=True)
        while True:
            now = time.monotonic()
            self.release_due(now)
            due = self.next_release()
            timeout = None if due is None else max(0.0, due - time.monotonic())
            readable, _, _ = select.select([self.sock], [], [], timeout)
            if readable:
                self.take(self.sock.recv(1 << 20), time.monotonic())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--loss", type=float, default=0.0, help="probability a packet is dropped, 0..1")
    args = parser.parse_args()
    Delayer(args.queue, args.delay_ms / 1000, args.jitter_ms / 1000, args.loss).run()


if __name__ == "__main__":
    main()
