// A small DNS stub resolver over UDP (TCP when the answer is truncated), with a bounded wait per query. The
// scanner needs what the operating system's resolver hides: the CNAME chain a name went through (to keep
// to the scope), the DNSSEC "authentic data" bit and DNSKEY/DS records, and the servers it asks chosen per
// scan (`--dns`), so tests and offices can point it at a resolver of their own.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import packet from 'dns-packet';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA' | 'NS' | 'DNSKEY' | 'DS' | 'SOA';

export interface DnsAnswer {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly data: unknown;
}

export interface DnsResult {
  readonly rcode: string;
  /** The resolver vouches that it validated the answer with DNSSEC. */
  readonly authentic: boolean;
  readonly answers: readonly DnsAnswer[];
}

export class DnsError extends Error {
  constructor(readonly qname: string, readonly type: string, message: string) {
    super(message);
    this.name = 'DnsError';
  }
}

export interface Server {
  readonly host: string;
  readonly port: number;
}

/** "127.0.0.1:5353", "[::1]:53" or "9.9.9.9" to a server. */
export function parseServer(text: string): Server | null {
  const t = text.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) return net.isIPv6(v6[1]!) ? { host: v6[1]!, port: v6[2] ? Number(v6[2]) : 53 } : null;
  if (net.isIPv6(t)) return { host: t, port: 53 };
  const v4 = /^([0-9.]+)(?::(\d+))?$/.exec(t);
  if (!v4 || !net.isIPv4(v4[1]!)) return null;
  const port = v4[2] ? Number(v4[2]) : 53;
  return port > 0 && port < 65536 ? { host: v4[1]!, port } : null;
}

export function systemServers(): Server[] {
  return dns.getServers().map(parseServer).filter((s): s is Server => s !== null);
}

const name = (n: string) => n.toLowerCase().replace(/\.$/, '');

export class DnsClient {
  private readonly servers: readonly Server[];

  constructor(servers: readonly Server[] = systemServers(), private readonly timeoutMs = 2000) {
    this.servers = servers.length ? servers : [{ host: '127.0.0.1', port: 53 }];
  }

  get serverList(): string {
    return this.servers.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)).join(', ');
  }

  /** Asks each server in turn until one answers; a timeout or refusal of all of them is a DnsError. */
  async query(qname: string, type: RecordType, options: { dnssec?: boolean } = {}): Promise<DnsResult> {
    const query: packet.Packet = {
      type: 'query',
      id: randomInt(0, 65536),
      flags: packet.RECURSION_DESIRED | (options.dnssec ? packet.AUTHENTIC_DATA : 0),
      questions: [{ type, name: qname, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: options.dnssec ? packet.DNSSEC_OK : 0 } as packet.Answer],
    };
    let last: Error = new DnsError(qname, type, 'no DNS server');
    for (const server of this.servers) {
      try {
        let reply = await this.udp(server, query);
        if (reply.flag_tc) reply = await this.tcp(server, query);
        const rcode = ((reply as { rcode?: string }).rcode ?? 'NOERROR').toUpperCase();
        if (rcode === 'SERVFAIL' || rcode === 'REFUSED') {
          last = new DnsError(qname, type, `${server.host} answered ${rcode} for ${qname} ${type}`);
          continue;
        }
        return {
          rcode,
          authentic: reply.flag_ad,
          answers: (reply.answers ?? []).map((a) => ({ name: name(a.name), type: a.type, ttl: (a as { ttl?: number }).ttl ?? 0, data: (a as { data?: unknown }).data })),
        };
      } catch (error) {
        last = error instanceof DnsError ? error : new DnsError(qname, type, (error as Error).message);
      }
    }
    throw last;
  }

  private udp(server: Server, query: packet.Packet): Promise<packet.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
      const q = query.questions![0]!;
      const timer = setTimeout(() => finish(new DnsError(q.name, q.type, `no answer from ${server.host}:${server.port} within ${this.timeoutMs} ms for ${q.name} ${q.type}`)), this.timeoutMs);
      const finish = (error: Error | null, reply?: packet.DecodedPacket) => {
        clearTimeout(timer);
        socket.close();
        if (error) reject(error);
        else resolve(reply!);
      };
      socket.on('error', (e) => finish(e));
      socket.on('message', (msg) => {
        try {
          const reply = packet.decode(msg);
          if (reply.id !== query.id) return; // not ours: keep waiting
          finish(null, reply);
        } catch {
          // A garbled datagram is ignored; the timeout bounds the wait.
        }
      });
      socket.send(packet.encode(query), server.port, server.host, (e) => e && finish(e));
    });
  }

  private tcp(server: Server, query: packet.Packet): Promise<packet.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const q = query.questions![0]!;
      const socket = net.connect({ host: server.host, port: server.port });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => finish(new DnsError(q.name, q.type, `no answer over TCP from ${server.host} within ${this.timeoutMs} ms`)), this.timeoutMs);
      const finish = (error: Error | null, reply?: packet.DecodedPacket) => {
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(reply!);
      };
      socket.on('error', (e) => finish(e));
      socket.on('connect', () => socket.write(packet.streamEncode(query)));
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length > 70_000) return finish(new Error('DNS answer over TCP too large'));
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          try {
            finish(null, packet.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          } catch (e) {
            finish(e as Error);
          }
        }
      });
    });
  }

  /** The records of one type at a name (following CNAMEs the resolver already followed), as data values. */
  async records<T = unknown>(qname: string, type: RecordType): Promise<T[]> {
    const r = await this.query(qname, type);
    return r.answers.filter((a) => a.type === type).map((a) => a.data as T);
  }

  /** TXT records as strings (each record's character-strings joined, as SPF and DMARC require). */
  async txt(qname: string): Promise<string[]> {
    const rows = await this.records<Buffer | string | Array<Buffer | string>>(qname, 'TXT');
    return rows.map((d) => (Array.isArray(d) ? d : [d]).map((p) => p.toString()).join(''));
  }

  /** A name's addresses (IPv4 then IPv6) and every name the answers passed through (the CNAME chain). */
  async resolveHost(host: string): Promise<{ addresses: string[]; chain: string[] }> {
    const h = name(host);
    if (h === 'localhost' || h.endsWith('.localhost')) return { addresses: ['127.0.0.1', '::1'], chain: [h] };
    const settled = await Promise.allSettled([this.query(h, 'A'), this.query(h, 'AAAA')]);
    const chain = [h];
    const addresses: string[] = [];
    let error: Error | null = null;
    for (const s of settled) {
      if (s.status === 'rejected') {
        error = s.reason as Error;
        continue;
      }
      // Walk the chain from the name asked, so unrelated records in the answer are not taken.
      let current = h;
      for (let hop = 0; hop < 10; hop += 1) {
        const cname = s.value.answers.find((a) => a.type === 'CNAME' && a.name === current);
        if (!cname) break;
        current = name(String(cname.data));
        if (!chain.includes(current)) chain.push(current);
      }
      for (const a of s.value.answers) if ((a.type === 'A' || a.type === 'AAAA') && a.name === current && !addresses.includes(String(a.data))) addresses.push(String(a.data));
    }
    if (!addresses.length && error) throw error;
    return { addresses, chain };
  }
}
